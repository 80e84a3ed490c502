# ruff: noqa: E501  (long literal strings of Korean text and code: kept whole to stay readable)
"""Regenerate ``lid.jsonl``: labelled documents for the language decision of the script step.

    python tests/data/corpus/make_lid_fixtures.py

Every piece of text below was written for hanji. Documents are built from the pieces the way
Korean technical writing looks in the wild: Korean explanations around commands, code blocks,
tables, English product and menu names, Hanja; and the true negatives a Korean filter meets:
English pages with a Korean navigation line, Japanese (kana + kanji), Chinese, and Korean
mojibake (Korean text decoded with the wrong codec).

Labels: ``ko`` (running text Korean, whatever its terms are), ``en``, ``ja``, ``zh``,
``mojibake``. The pieces of each kind are split in two pools before any document is built:
``tune`` documents use only pool A, ``heldout`` documents only pool B, so no sentence of a
held-out document was seen while tuning. Seeded: the file changes only when this script does.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent

KO_PROSE = [
    "패키지를 설치하기 전에 저장소 목록을 최신 상태로 갱신해야 한다. 그렇지 않으면 오래된 "
    "버전이 설치되거나 의존성 충돌이 생길 수 있다.",
    "가상 환경을 쓰면 프로젝트마다 서로 다른 라이브러리 버전을 둘 수 있다. 새 터미널을 열 "
    "때마다 가상 환경을 다시 활성화하는 것을 잊지 말자.",
    "Docker 컨테이너는 실행이 끝나면 그 안에서 바꾼 파일이 사라진다. 데이터를 남기려면 볼륨을 "
    "마운트하거나 호스트의 폴더를 연결해야 한다.",
    "브랜치를 병합할 때 충돌이 나면 Git은 충돌한 부분에 표시를 남긴다. 표시된 부분을 직접 "
    "고친 뒤 파일을 다시 스테이징하고 커밋하면 병합이 끝난다.",
    "서버의 응답 시간이 갑자기 길어졌다면 먼저 로그에서 느린 쿼리를 찾아보자. 대부분은 인덱스가 "
    "없는 열로 조건을 거는 경우이다.",
    "환경 변수는 설정 파일에 비밀번호를 적지 않고도 프로그램에 값을 넘기는 방법이다. 다만 "
    "프로세스 목록에 노출될 수 있으니 민감한 값은 비밀 관리 도구에 맡기는 편이 안전하다.",
    "이 설정을 켜면 저장할 때마다 코드 서식이 자동으로 맞춰진다. 팀원 모두가 같은 설정 파일을 "
    "쓰도록 저장소에 함께 올려 두자.",
    "테스트가 로컬에서는 통과하는데 CI에서만 실패한다면 시간대나 로케일 설정이 다른지 확인해 "
    "보자. 날짜를 다루는 테스트에서 특히 자주 생기는 문제이다.",
    "메모리 사용량이 계속 늘어난다면 누수를 의심해 볼 만하다. 프로파일러로 어떤 객체가 "
    "해제되지 않고 쌓이는지 살펴보면 원인을 좁힐 수 있다.",
    "보고서를 내보낼 때 글꼴이 깨진다면 한글 글꼴이 문서에 포함되었는지 확인하자. PDF로 "
    "저장할 때 글꼴 포함 옵션을 켜면 대부분 해결된다.",
    "스프레드시트에서 조건부 서식을 쓰면 기준을 넘는 값만 색으로 표시할 수 있다. 서식 메뉴에서 "
    "조건을 고르고 적용할 범위를 지정하면 된다.",
    "인증서가 만료되면 브라우저는 경고 화면을 띄우고 접속을 막는다. 만료 30일 전에 알림이 "
    "오도록 모니터링을 걸어 두면 이런 사고를 막을 수 있다.",
    "로그 파일이 디스크를 가득 채우지 않도록 로그 순환을 설정하자. 보관 기간과 압축 여부를 "
    "정해 두면 오래된 로그는 알아서 정리된다.",
    "API 요청이 너무 잦으면 서버가 429 응답을 돌려준다. 이때는 잠시 기다렸다가 간격을 점점 "
    "늘려 가며 다시 시도하는 방식이 권장된다.",
    "데이터베이스를 백업할 때는 복원까지 실제로 해 봐야 한다. 복원해 보지 않은 백업은 있으나 "
    "마나 한 경우가 많다.",
    "단축키를 익혀 두면 마우스로 메뉴를 찾는 시간을 크게 줄일 수 있다. 자주 쓰는 기능부터 "
    "하나씩 손에 익히는 것이 좋다.",
    "레이어 패널에서 눈 모양 아이콘을 누르면 해당 레이어가 잠시 숨겨진다. 편집이 끝나면 다시 "
    "눌러 보이게 하면 된다.",
    "빌드가 느리다면 캐시가 제대로 쓰이고 있는지부터 확인하자. 의존성이 바뀌지 않았는데도 매번 "
    "처음부터 내려받고 있다면 캐시 키를 잘못 잡은 것이다.",
    "함수 이름은 무엇을 하는지 드러나게 짓는 것이 좋다. 이름만 보고도 동작을 짐작할 수 있으면 "
    "주석이 훨씬 적어도 된다.",
    "원격 서버에 접속할 때 비밀번호 대신 키 파일을 쓰면 더 안전하고 편리하다. 개인 키는 절대 "
    "다른 사람과 공유하지 말아야 한다.",
]

CODE = [
    "```bash\nsudo apt update\nsudo apt install -y python3-venv git curl\n```",
    '```python\nimport json\n\nwith open("config.json", encoding="utf-8") as f:\n'
    '    config = json.load(f)\nprint(config["timeout"])\n```',
    '    $ git checkout -b feature/login\n    $ git add -A\n    $ git commit -m "fix login"',
    "```yaml\nservices:\n  db:\n    image: postgres:16\n    volumes:\n      - ./data:/var/lib/postgresql/data\n```",
    "$ docker run --rm -v $(pwd):/work -w /work python:3.12 python -m pytest -q",
    "```sql\nSELECT user_id, COUNT(*) AS orders\nFROM orders\nWHERE created_at >= '2024-01-01'\n"
    "GROUP BY user_id\nORDER BY orders DESC\nLIMIT 10;\n```",
    ">>> import numpy as np\n>>> np.arange(6).reshape(2, 3).sum(axis=0)\narray([3, 5, 7])",
    '```js\nconst res = await fetch("/api/items?page=2");\nif (!res.ok) throw new Error(res.status);\n'
    "const items = await res.json();\n```",
    '    export PATH="$HOME/.local/bin:$PATH"\n    source ~/.bashrc',
    '```\n[server]\nhost = "0.0.0.0"\nport = 8080\nworkers = 4\n```',
    "$ kubectl get pods -n production\n$ kubectl logs deploy/api --tail=100",
    "```python\ndef retry(fn, times=3):\n    for i in range(times):\n        try:\n"
    "            return fn()\n        except TimeoutError:\n            time.sleep(2 ** i)\n"
    '    raise RuntimeError("gave up")\n```',
]

KO_INLINE = [
    "먼저 `pip install -r requirements.txt`로 필요한 패키지를 설치한다. Settings > Editor > "
    "Font 메뉴에서 D2Coding 글꼴을 고르면 코드가 더 잘 읽힌다.",
    "설치가 끝나면 https://localhost:8080/admin 에 접속해 관리자 계정으로 로그인한다. 설정 "
    "파일은 /etc/myapp/config.toml 에 있다.",
    "Format → Conditional → Condition 메뉴를 열고 Cell value is greater than 100을 고른다. "
    "이렇게 하면 100을 넘는 셀만 빨간색으로 칠해진다.",
    "오류 메시지에 ModuleNotFoundError: No module named 'requests'가 보이면 가상 환경이 "
    "활성화되지 않은 것이다. `source .venv/bin/activate`를 먼저 실행하자.",
    "GitHub Actions의 workflow 파일은 .github/workflows 폴더에 둔다. on: push 아래에 "
    "branches: [main]을 적으면 main 브랜치에 push할 때만 실행된다.",
    "File > Export As… 를 누르고 파일 형식을 PNG로 바꾼 뒤 Export 버튼을 누른다. 투명한 "
    "배경을 살리려면 Save background color 옵션을 끈다.",
    "CPU 사용률이 90%를 넘으면 top 또는 htop으로 어떤 process가 CPU를 쓰는지 본다. "
    "PID를 확인한 뒤 kill -15 PID로 정상 종료를 요청한다.",
    "Visual Studio Code에서 Ctrl+Shift+P를 누르고 Python: Select Interpreter를 입력하면 "
    "사용할 인터프리터를 고를 수 있다.",
    "응답 헤더에 Content-Type: application/json; charset=utf-8이 빠져 있으면 한글이 깨져 "
    "보일 수 있다. 서버 설정에서 charset을 명시하자.",
    "Tools > Options > LibreOffice Writer > AutoCorrect에서 자동 고침 규칙을 바꿀 수 있다. "
    "필요 없는 규칙은 체크를 해제한다.",
]

KO_TABLE = [
    "| 옵션 | 기본값 | 설명 |\n|---|---|---|\n| --timeout | 30 | 요청 제한 시간(초) |\n"
    "| --retries | 3 | 실패 시 다시 시도하는 횟수 |\n| --verbose | false | 자세한 로그 출력 |",
    "단축키\t기능\nCtrl+C\t복사\nCtrl+V\t붙여넣기\nCtrl+Z\t실행 취소\nCtrl+Shift+S\t다른 이름으로 저장",
    "| 상태 코드 | 의미 | 조치 |\n|---|---|---|\n| 401 | 인증 실패 | 토큰을 다시 발급받는다 |\n"
    "| 403 | 권한 없음 | 관리자에게 권한을 요청한다 |\n| 500 | 서버 오류 | 로그를 확인한다 |",
    "항목 | 최소 사양 | 권장 사양\nCPU | 2코어 | 4코어 이상\n메모리 | 4 GB | 16 GB\n"
    "디스크 | SSD 20 GB | SSD 100 GB\n운영체제 | Ubuntu 22.04 | Ubuntu 24.04",
    "| 함수 | 반환값 | 예시 |\n|---|---|---|\n| SUM(범위) | 합계 | =SUM(A1:A10) |\n"
    "| AVERAGE(범위) | 평균 | =AVERAGE(B2:B20) |\n| VLOOKUP(값, 범위, 열) | 찾은 값 | =VLOOKUP(D2, A:C, 3) |",
    "- 설치: `brew install node`\n- 버전 확인: `node -v`\n- 패키지 초기화: `npm init -y`\n"
    "- 개발 서버 실행: `npm run dev`",
    "1. Preferences 창을 연다.\n2. Appearance 탭에서 Theme을 Dark로 바꾼다.\n"
    "3. Apply를 누르고 프로그램을 다시 시작한다.\n4. 글꼴 크기는 Font size에서 조절한다.",
    "| 명령 | 하는 일 |\n|---|---|\n| git status | 변경된 파일 보기 |\n| git diff | 바뀐 내용 보기 |\n"
    "| git log --oneline | 커밋 기록 한 줄씩 보기 |\n| git stash | 작업 내용 잠시 치워 두기 |",
]

KO_HANJA = [
    "훈민정음(訓民正音)은 백성을 가르치는 바른 소리라는 뜻이다. 세종(世宗)은 1443년에 이를 "
    "창제(創製)하고 1446년에 반포(頒布)하였다.",
    "계약서 제3조(契約期間)에 따라 본 계약의 기간은 체결일로부터 2년으로 한다. 다만 당사자 "
    "일방이 해지(解止)를 통보하지 않으면 1년씩 자동으로 연장된다.",
    "경제(經濟)라는 말은 경세제민(經世濟民)에서 왔다. 세상을 다스리고 백성을 구제한다는 뜻으로, "
    "오늘날의 의미보다 훨씬 넓은 말이었다.",
    "조선 후기의 실학(實學)은 성리학(性理學)의 공리공론을 비판하고 실생활에 쓸모 있는 학문을 "
    "추구하였다. 정약용(丁若鏞)은 그 대표적인 학자이다.",
    "本 規程은 公布한 날부터 施行한다. 다만 第5條의 改正規定은 2025년 1월 1일부터 施行한다.",
    "대한민국 헌법(憲法) 제1조 ① 대한민국은 민주공화국이다. ② 대한민국의 주권(主權)은 국민에게 "
    "있고, 모든 권력(權力)은 국민으로부터 나온다.",
    "그는 일기(日記)에 이렇게 적었다. 오늘 새벽 우중(雨中)에 길을 떠나 해질녘에야 한양(漢陽)에 "
    "닿았다. 객사(客舍)의 방은 좁았으나 마음은 편하였다.",
    "한지(韓紙)는 닥나무 껍질로 만든다. 도침(搗砧)이라는 다듬이질을 거치면 종이의 결이 곱고 "
    "단단해져 천 년을 간다는 말이 나왔다.",
]

EN_PROSE = [
    "Before installing the package, refresh the repository index so that the newest version "
    "is picked and dependency conflicts are avoided. Then run the installer as an administrator.",
    "Containers lose every change made inside them when they stop. To keep data, mount a "
    "volume or bind a folder of the host into the container.",
    "When a merge conflicts, Git marks the conflicting hunks in the file. Edit them by hand, "
    "stage the file again and commit to finish the merge.",
    "If response times suddenly grow, look for slow queries in the database log first. Most "
    "of them filter on a column that has no index.",
    "Conditional formatting highlights only the cells that pass a rule. Choose the condition "
    "in the Format menu and select the range it applies to.",
    "A backup is only as good as the last restore you tested. Schedule a restore drill every "
    "quarter and write down how long it took.",
    "Keyboard shortcuts save a surprising amount of time. Learn the five commands you use most "
    "often first, then add one new shortcut each week.",
    "The layer panel shows an eye icon next to each layer. Click it to hide the layer while "
    "you work on the others, and click again to show it.",
    "Certificates expire, and browsers refuse the connection when they do. Set an alert thirty "
    "days before the expiry date so that renewal never becomes an emergency.",
    "Rotate log files so that they never fill the disk. Decide how long to keep them and "
    "whether to compress old ones, and the system tidies up on its own.",
]

KO_NAV = [
    "홈 > 고객지원 > 기술 문서",
    "로그인 | 회원가입 | 장바구니 | 고객센터",
    "한국어 | English | 日本語",
    "이전 글 다음 글 목록으로",
    "메뉴 바로가기 본문 바로가기",
    "공지사항 · 자주 묻는 질문 · 1:1 문의",
    "© 2024 한지소프트. 모든 권리 보유.",
    "이 페이지는 아직 번역되지 않았습니다.",
]

JA_PROSE = [
    "パッケージをインストールする前に、リポジトリの一覧を最新の状態に更新してください。"
    "古いバージョンが入ると、依存関係の衝突が起きることがあります。",
    "コンテナを停止すると、その中で変更したファイルはすべて失われます。データを残すには"
    "ボリュームをマウントしてください。",
    "マージで競合が起きると、Gitは競合した箇所に印を付けます。手で直してから、もう一度"
    "ステージしてコミットすれば完了です。",
    "応答が急に遅くなったら、まずデータベースのログで遅いクエリを探しましょう。多くの場合、"
    "インデックスのない列で絞り込んでいます。",
    "条件付き書式を使うと、基準を超えたセルだけに色を付けられます。書式メニューから条件を"
    "選び、範囲を指定してください。",
    "バックアップは、実際に復元してみるまで信用できません。四半期ごとに復元の訓練をして、"
    "かかった時間を記録しておきましょう。",
    "ショートカットキーを覚えると、メニューを探す時間が大きく減ります。よく使う機能から"
    "一つずつ覚えるのがおすすめです。",
    "証明書の期限が切れると、ブラウザーは警告を表示して接続を止めます。期限の三十日前に"
    "通知が来るように設定しておくと安心です。",
    "ログファイルがディスクをいっぱいにしないように、ローテーションを設定しましょう。"
    "保存期間と圧縮の有無を決めておけば、古いログは自動で整理されます。",
    "レイヤーパネルの目のアイコンを押すと、そのレイヤーが一時的に隠れます。編集が終わったら"
    "もう一度押して表示してください。",
]

ZH_PROSE = [
    "安装软件包之前，请先更新软件源列表。否则可能会装上旧版本，或者出现依赖冲突。",
    "容器停止后，在容器里修改过的文件都会丢失。要保留数据，请挂载数据卷或者绑定主机目录。",
    "合并分支时如果发生冲突，Git 会在冲突的位置做出标记。手动修改之后重新暂存并提交即可完成合并。",
    "如果服务器的响应时间突然变长，先在数据库日志里查找慢查询。大多数情况是在没有索引的列上做了筛选。",
    "使用条件格式，可以只给超过标准的单元格上色。在格式菜单中选择条件，然后指定应用的范围。",
    "備份只有在實際還原過之後才值得信任。每個季度做一次還原演練，並記錄下所花的時間。",
    "熟悉快捷鍵可以大大減少尋找選單的時間。建議從最常用的功能開始，一個一個地記住。",
    "證書過期後，瀏覽器會顯示警告並阻止連線。在到期前三十天設定提醒，就不會手忙腳亂。",
    "为了防止日志文件占满磁盘，请设置日志轮转。规定好保存期限和是否压缩，旧日志就会自动清理。",
    "点击图层面板中的眼睛图标，可以暂时隐藏该图层。编辑完成后再点击一次即可重新显示。",
]


def pools(items: list[str], rng: random.Random) -> dict[str, list[str]]:
    shuffled = items[:]
    rng.shuffle(shuffled)
    half = len(shuffled) // 2
    return {"tune": shuffled[:half], "heldout": shuffled[half:]}


def mojibake(text: str, how: int) -> str:
    """Korean text as a wrong decoder leaves it (four common accidents)."""
    if how == 0:
        return text.encode("utf-8").decode("cp1252", errors="replace")
    if how == 1:
        return text.encode("utf-8").decode("latin-1")
    if how == 2:
        return text.encode("euc-kr", errors="replace").decode("latin-1")
    return text.encode("utf-8").decode("cp949", errors="replace")


def build() -> list[dict]:
    rng = random.Random(2020)
    ko, code, inline = pools(KO_PROSE, rng), pools(CODE, rng), pools(KO_INLINE, rng)
    table, hanja, en = pools(KO_TABLE, rng), pools(KO_HANJA, rng), pools(EN_PROSE, rng)
    nav, ja, zh = pools(KO_NAV, rng), pools(JA_PROSE, rng), pools(ZH_PROSE, rng)
    docs: list[dict] = []

    def add(split: str, kind: str, label: str, text: str) -> None:
        n = sum(d["split"] == split and d["kind"] == kind for d in docs)
        docs.append(
            {
                "id": f"{split}-{kind}-{n:03d}",
                "split": split,
                "kind": kind,
                "label": label,
                "text": text,
            }
        )

    for split in ("tune", "heldout"):
        for _ in range(35):  # Korean how-to: prose, inline commands, a code block or two
            parts = rng.sample(ko[split], 2) + rng.sample(inline[split], 1)
            parts += rng.sample(code[split], rng.choice((1, 2)))
            rng.shuffle(parts)
            add(split, "ko_code", "ko", "\n\n".join(parts))
        for _ in range(15):  # Korean tables and lists with English values
            parts = [rng.choice(ko[split]), rng.choice(table[split]), rng.choice(inline[split])]
            add(split, "ko_table", "ko", "\n\n".join(parts))
        for _ in range(12):  # Korean with Hanja
            add(split, "ko_hanja", "ko", "\n".join(rng.sample(hanja[split], 2)))
        for _ in range(20):  # English page, Korean navigation line and footer
            body = "\n\n".join(rng.sample(en[split], 3))
            add(
                split, "en_nav", "en", f"{rng.choice(nav[split])}\n{body}\n{rng.choice(nav[split])}"
            )
        for _ in range(12):
            add(split, "ja", "ja", "\n".join(rng.sample(ja[split], 3)))
        for _ in range(12):
            add(split, "zh", "zh", "\n".join(rng.sample(zh[split], 3)))
        korean = [d["text"] for d in docs if d["split"] == split and d["label"] == "ko"]
        for i in range(16):
            add(split, "mojibake", "mojibake", mojibake(rng.choice(korean), i % 4))
    return docs


def main() -> None:
    docs = build()
    out = HERE / "lid.jsonl"
    out.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), "utf-8")
    print(f"wrote {len(docs)} documents to {out}")


if __name__ == "__main__":
    main()
