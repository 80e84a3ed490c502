import json

import pytest
from tokenizers import Tokenizer

from hanji.modeling import load_tokenizer
from hanji.tokenizer.extend import apply_extension, learn_extension

# Original Korean sentences; the planted word 갓생 appears with varied particles.
CORPUS = [
    "요즘 친구들 사이에서는 갓생이 유행이다. 아침 일찍 일어나 운동을 하고 책을 읽는다.",
    "갓생을 살겠다고 다짐한 지 일주일이 지났다. 생각보다 어렵지만 조금씩 익숙해진다.",
    "동생은 갓생에 관심이 많아서 하루 계획표를 냉장고에 붙여 두었다.",
    "한국어 문장은 조사와 어미가 붙어서 만들어진다. 학교에서 배운 문법을 다시 공부했다.",
    "도서관에서 빌린 책을 돌려주고 공원을 걸었다. 바람이 시원해서 기분이 좋았다.",
    "시장에서 산 사과가 무척 달았다. 할머니께서는 사과로 잼을 만들어 주셨다.",
    "지하철을 타고 출근하는 사람들은 대부분 휴대전화를 보고 있었다.",
    "갓생 사는 사람들은 잠들기 전에 다음 날 할 일을 적어 둔다고 한다.",
] * 6


@pytest.fixture(scope="session")
def corpus() -> list[str]:
    return CORPUS


@pytest.fixture(scope="session")
def base_backend() -> Tokenizer:
    return Tokenizer.from_str(load_tokenizer("smollm2-135m").backend_tokenizer.to_str())


@pytest.fixture(scope="session")
def extension(base_backend):
    return learn_extension(base_backend, CORPUS, n_new=400, must_have=["갓생", "없는말"])


@pytest.fixture(scope="session")
def extended(base_backend, extension) -> Tokenizer:
    spec = apply_extension(json.loads(base_backend.to_str()), extension)
    return Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))
