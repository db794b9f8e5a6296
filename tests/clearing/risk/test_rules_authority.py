"""The rules over the center authority's facts, alone: grants without records, SAM counter gaps."""

from __future__ import annotations

from clearing.risk.facts import GrantProblem, SamCounterProblem
from clearing.risk.parameters import GrantWithoutRecords, RiskParameters, SamCounterGap
from clearing.risk.rules import grant_without_records, sam_counter_gap

P = RiskParameters()
CARD = "3100000000000001"


def _grant(grant_id: int = 7, amount: int = 2_000, intent: int | None = None) -> GrantProblem:
    return GrantProblem(grant_id, "DEV-1", CARD, amount, "no uploaded load intent", 5, intent)


def test_a_grant_without_records_is_found_with_its_device_card_and_amount() -> None:
    [finding] = grant_without_records.find([_grant()], P.grant_without_records)
    assert finding.rule == "grant_without_records"
    assert finding.subject == "device:DEV-1"
    assert finding.amount_fen == 2_000
    assert finding.evidence == ()  # no record to point at: that is the finding
    assert CARD in finding.summary and "20.00 yuan" in finding.summary
    assert "日志中无对应充值记录" in finding.summary_zh and "20.00 元" in finding.summary_zh


def test_a_grant_journaled_with_another_amount_points_at_the_intent() -> None:
    [finding] = grant_without_records.find([_grant(intent=41)], P.grant_without_records)
    assert finding.evidence == (("DEV-1", 41),)
    assert "金额与日志不符" in finding.summary_zh


def test_each_grant_is_its_own_alarm_and_the_threshold_leaves_small_ones() -> None:
    found = grant_without_records.find([_grant(1), _grant(2), _grant(1)], P.grant_without_records)
    assert sorted({f.key for f in found}) == [
        "grant_without_records:1",
        "grant_without_records:2",
    ]
    above = GrantWithoutRecords(min_amount_fen=5_000)
    assert grant_without_records.find([_grant(amount=4_999)], above) == []
    assert len(grant_without_records.find([_grant(amount=5_000)], above)) == 1


def _sam(kind: str, value: int, follows: int | None, seq: int | None = 9) -> SamCounterProblem:
    return SamCounterProblem("DEV-1", seq, kind, "PSAM", value, follows, 5)


def test_a_sam_counter_gap_names_the_record_and_how_many_are_missing() -> None:
    [finding] = sam_counter_gap.find([_sam("gap", 5, 2)], P.sam_counter_gap)
    assert finding.rule == "sam_counter_gap"
    assert finding.subject == "device:DEV-1"
    assert finding.evidence == (("DEV-1", 9),)
    assert "2 SAM transaction(s) missing" in finding.summary
    assert "缺 2 笔" in finding.summary_zh


def test_a_repeat_is_found_and_small_gaps_can_be_left_alone() -> None:
    [finding] = sam_counter_gap.find([_sam("repeat", 5, None)], P.sam_counter_gap)
    assert "重复" in finding.summary_zh
    lenient = SamCounterGap(min_missing=3)
    assert sam_counter_gap.find([_sam("gap", 5, 2)], lenient) == []  # 2 missing
    assert len(sam_counter_gap.find([_sam("gap", 6, 2)], lenient)) == 1
    assert len(sam_counter_gap.find([_sam("repeat", 5, None)], lenient)) == 1  # always


def test_one_alarm_per_hole_however_often_it_is_read() -> None:
    found = sam_counter_gap.find([_sam("gap", 5, 2), _sam("gap", 5, 2)], P.sam_counter_gap)
    assert len({f.key for f in found}) == 1
