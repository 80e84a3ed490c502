import json

import pytest

from hanji.privacy import Pseudonymizer


def test_same_value_same_placeholder_within_a_scope(ids):
    p = Pseudonymizer()
    a = p.pseudonymize(f"김민준 씨 {ids['rrn']}, 연락처 010-1234-5678")
    b = p.pseudonymize(f"다시 {ids['rrn']} 그리고 010-9876-5432, 김민준 씨")
    assert a == "<PERSON_1> 씨 <RRN_1>, 연락처 <PHONE_1>"
    assert b == "다시 <RRN_1> 그리고 <PHONE_2>, <PERSON_1> 씨"


def test_restore_round_trip_and_model_output(ids):
    p = Pseudonymizer()
    text = f"예금주 김민준, 국민은행 123456-01-234567, 주민번호 {ids['rrn']}"
    hidden = p.pseudonymize(text)
    assert "김민준" not in hidden and ids["rrn"] not in hidden
    assert p.restore(hidden) == text
    answer = "<PERSON_1>님의 계좌(<ACCOUNT_1>)를 확인했습니다. <RRN_9>는 모릅니다."
    assert (
        p.restore(answer) == "김민준님의 계좌(123456-01-234567)를 확인했습니다. <RRN_9>는 모릅니다."
    )


def test_mapping_survives_dict_and_json():
    p = Pseudonymizer()
    hidden = p.pseudonymize("연락처 010-1234-5678, 010-2222-3333")
    data = json.loads(json.dumps(p.to_dict()))
    q = Pseudonymizer.from_dict(data)
    assert q.restore(hidden) == "연락처 010-1234-5678, 010-2222-3333"
    assert q.pseudonymize("또 010-2222-3333 과 010-4444-5555") == "또 <PHONE_2> 과 <PHONE_3>"
    assert Pseudonymizer.from_json(p.to_json()).to_dict() == p.to_dict()


def test_bad_mapping_is_rejected():
    with pytest.raises(ValueError):
        Pseudonymizer.from_dict({"version": 2, "placeholders": {}})
    with pytest.raises(ValueError):
        Pseudonymizer.from_dict({"version": 1, "placeholders": {"RRN_1": "x"}})


def test_placeholder_text_already_in_the_input_stays_itself():
    p = Pseudonymizer()
    text = "문서에 <PHONE_1> 이라고 적힌 칸, 실제 번호 010-1234-5678"
    hidden = p.pseudonymize(text)
    assert hidden == "문서에 <PHONE_1> 이라고 적힌 칸, 실제 번호 <PHONE_2>"
    assert p.restore(hidden) == text
