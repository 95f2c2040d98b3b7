"""--only and --skip name cases by a prefix of their name or by their variant."""

from bench.cases import named

CASES = (
    "participant_list.manager",
    "participant_list.manager:generic_guardian",
    "participant_list.manager:generic_guardian_10x",
    "participant_list.supervisor:generic_guardian_10x",
    "placement_list.manager",
)


def chosen(patterns) -> list[str]:
    return [case for case in CASES if named(case, patterns)]


def test_a_prefix_names_the_case_and_its_variants():
    assert chosen({"participant_list.manager"}) == list(CASES[:3])
    assert chosen({"placement_list"}) == ["placement_list.manager"]


def test_a_variant_names_that_variant_of_every_case_and_nothing_else():
    assert chosen({"generic_guardian_10x"}) == [
        "participant_list.manager:generic_guardian_10x",
        "participant_list.supervisor:generic_guardian_10x",
    ]
    # Not a substring match: the shorter variant name leaves the longer one alone.
    assert chosen({"generic_guardian"}) == ["participant_list.manager:generic_guardian"]


def test_an_unknown_pattern_names_nothing():
    assert chosen({"guardian_10x"}) == []
    assert chosen(set()) == []
