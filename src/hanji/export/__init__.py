"""HF model dir → GGUF (the `gguf` package), verified by llama.cpp (llama-cpp-python)."""

from hanji.lazy import lazy_exports

__all__ = lazy_exports(
    __name__,
    {
        "ExportError": "hanji.export.errors",
        "ExportResult": "hanji.export.gguf",
        "GGUF_TYPES": "hanji.export.gguf",
        "export_gguf": "hanji.export.gguf",
        "llama_cpp_pre": "hanji.export.pretokenizer",
        "verify_gguf": "hanji.export.verify",
    },
)
