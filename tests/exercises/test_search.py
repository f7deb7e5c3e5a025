"""The library's search: the same matches on SQLite and PostgreSQL as the plain rule it always
was (each term a case-insensitive substring of one searched field), and on PostgreSQL answered by
the trigram indexes of exercises/migrations/0005."""

import operator
from functools import reduce

import pytest
from django.db import connection
from django.db.models import Q
from rest_framework.filters import search_smart_split

from exercises.models import Exercise
from exercises.selectors import SEARCH_FIELDS, exercise_search
from tests.factories import (
    BodyRegionFactory,
    CategoryFactory,
    ConditionFactory,
    CustomExerciseFactory,
    EquipmentFactory,
    ExerciseFactory,
    TissueFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/exercises/"
TRIGRAM_INDEXES = [
    f"exercise_{field}_trgm" for field in ["name", "summary", "steps", "cues", "precautions"]
]


def plain_rule(text: str):
    """The rule as first written: for each term, one OR of `icontains` over every field,
    through joins."""
    queryset = Exercise.objects.all()
    for term in search_smart_split(text):
        matches = (Q(**{f"{field}__icontains": term}) for field in SEARCH_FIELDS)
        queryset = queryset.filter(reduce(operator.or_, matches))
    return queryset.distinct()


@pytest.fixture
def library():
    """A term in each searched field, in mixed case, and exercises it is not in."""
    ExerciseFactory(name="HAMSTRING glide")
    ExerciseFactory(name="Summary", summary="Floss the hamString slowly.")
    ExerciseFactory(name="Steps", steps=["Lie down.", 'Reach for the "Hamstrings".'])
    ExerciseFactory(name="Cues", cues=["Feel the hamstring lengthen"])
    ExerciseFactory(name="Precautions", precautions=["Stop if the hamstring cramps."])
    ExerciseFactory(name="Category", category=CategoryFactory(name="Hamstring work"))
    ExerciseFactory(name="Equipment", equipment=[EquipmentFactory(name="Hamstring strap")])
    ExerciseFactory(name="Region", body_regions=[BodyRegionFactory(name="Back of the hamstring")])
    ExerciseFactory(
        name="Tissues",
        target_tissues=[TissueFactory(name="Hamstring (medial)"), TissueFactory(name="Hamstrings")],
    )
    ExerciseFactory(name="Condition", conditions=[ConditionFactory(name="Hamstring strain")])
    ExerciseFactory(name="Calf raise", summary="Rise onto the toes; 100% of the weight.")
    ExerciseFactory(name="Bridge", steps=["Lift the hips_high."], cues=["Squeeze."])


SEARCHES = [
    "hamstring",
    "HAMSTRINGS",
    "mstr",  # a substring inside a word
    "am",  # too short for a trigram: still a substring search
    '"ring (medial"',  # a phrase, with the punctuation of a tissue's name
    "reach hamstrings",  # two terms, found in one field
    "floss hamstring",  # ... and in two
    "hamstring nowhere",
    "100%",  # LIKE's wildcards are matched as themselves
    "hips_high",
    "strain",
    "nowhere",
]


@pytest.mark.parametrize("text", SEARCHES)
def test_search_matches_the_plain_rule(library, text):
    found = exercise_search(queryset=Exercise.objects.all(), text=text)

    assert sorted(found.values_list("name", flat=True)) == sorted(
        plain_rule(text).values_list("name", flat=True)
    )


def test_every_searched_field_is_found_ignoring_case(library, as_therapist):
    response = as_therapist.get(URL, {"search": "hAmStRiNg", "page_size": 100})

    assert response.status_code == 200
    assert sorted(row["name"] for row in response.json()["results"]) == [
        "Category",
        "Condition",
        "Cues",
        "Equipment",
        "HAMSTRING glide",
        "Precautions",
        "Region",
        "Steps",
        "Summary",
        "Tissues",
    ]
    assert response.json()["count"] == 10  # each once, however many of its tissues match


def test_every_term_must_be_found_each_in_any_field(library, as_therapist):
    response = as_therapist.get(URL, {"search": "hamstring floss"})

    assert [row["name"] for row in response.json()["results"]] == ["Summary"]


def test_search_keeps_to_the_callers_active_library(as_therapist, therapist):
    ExerciseFactory(name="Shared hamstring")
    CustomExerciseFactory(name="My hamstring", owner=therapist)
    CustomExerciseFactory(name="Their hamstring")
    ExerciseFactory(name="Old hamstring", is_archived=True)

    response = as_therapist.get(URL, {"search": "hamstring"})

    assert [row["name"] for row in response.json()["results"]] == [
        "My hamstring",
        "Shared hamstring",
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's; SQLite reads all"
)
class TestOnPostgreSQL:
    def test_the_trigram_indexes_answer_the_search(self, library, therapist):
        """The planner may prefer reading a small table whole, so sequential scans are priced
        out: what is checked is that the search's expressions are the indexed ones."""
        queryset = exercise_search(
            queryset=Exercise.objects.visible_to(therapist).active(), text="hamstring"
        )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()

        assert [name for name in TRIGRAM_INDEXES if name not in plan] == [], plan
        assert "Seq Scan on exercises_exercise" not in plan, plan

    def test_new_exercises_go_straight_into_the_indexes(self):
        """Without `fastupdate`, no pending list that every search would read through."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
                [TRIGRAM_INDEXES],
            )
            options = dict(cursor.fetchall())

        assert options == {name: ["fastupdate=off"] for name in TRIGRAM_INDEXES}
