from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from programs.models import Block, Item, Program, ProgressionRule
from progression import engine as progression
from tests.factories import (
    BlockFactory,
    ClientFactory,
    ConditionFactory,
    CustomExerciseFactory,
    ExerciseFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    ScreeningFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/programs/"
DOSE_FIELDS = [
    "sets",
    "reps_min",
    "reps_max",
    "hold_seconds_min",
    "hold_seconds_max",
    "duration_seconds_min",
    "duration_seconds_max",
    "rest_seconds",
    "load_kg",
    "step_height_cm",
]
BLOCK_FIELDS = ["title", "kind", "rounds_min", "rounds_max", "rest_between_rounds_seconds", "notes"]
RULE_FIELDS = [
    "parameter",
    "mode",
    "amount",
    "every_weeks",
    "start_week",
    "cap",
    "trigger",
    "pain_threshold",
    "regress_above",
]


def detail(program):
    return f"{URL}{program.pk}/"


def action(program, name):
    return f"{URL}{program.pk}/{name}/"


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def counts():
    return tuple(model.objects.count() for model in (Program, Block, Item, ProgressionRule))


def structure(program, with_ids=False):
    """A program's stored blocks, items and rules, in order, comparable between programs."""
    blocks = []
    for block in program.blocks.order_by("position", "id"):
        items = []
        for item in block.items.order_by("position", "id"):
            rules = [
                {name: getattr(rule, name) for name in RULE_FIELDS}
                for rule in item.progressions.order_by("id")
            ]
            items.append(
                {
                    **({"id": item.pk} if with_ids else {}),
                    "exercise": item.exercise_id,
                    "side": item.side,
                    "notes": item.notes,
                    **{name: getattr(item, name) for name in DOSE_FIELDS},
                    "rules": rules,
                }
            )
        blocks.append(
            {
                **({"id": block.pk} if with_ids else {}),
                **{name: getattr(block, name) for name in BLOCK_FIELDS},
                "items": items,
            }
        )
    return blocks


def state(program):
    """Everything a refused write must leave as it was."""
    program = Program.objects.get(pk=program.pk)
    return counts(), program.version, program.title, program.status, structure(program, True)


def error_at(body, path):
    """The error list at a nested position, e.g. ("blocks", 0, "items", 1, "side").

    Errors of nested lists are objects keyed by the position of each invalid entry.
    """
    for key in path:
        body = body[str(key)] if isinstance(key, int) else body[key]
    assert isinstance(body, list) and body and all(isinstance(text, str) for text in body), body
    return body


def item_ids(program):
    return set(Item.objects.filter(block__program=program).values_list("pk", flat=True))


@pytest.fixture
def ex(therapist):
    return SimpleNamespace(
        lunge=ExerciseFactory(name="Lunge", progressable=["reps", "load_kg"]),
        bridge=ExerciseFactory(name="Bridge", laterality="bilateral", progressable=["reps"]),
        step_up=ExerciseFactory(name="Step up", progressable=["reps", "step_height_cm"]),
        mine=CustomExerciseFactory(owner=therapist, name="My march", laterality="alternating"),
    )


@pytest.fixture
def own_client(therapist):
    return ClientFactory(therapist=therapist)


@pytest.fixture
def others_client(other_therapist):
    return ClientFactory(therapist=other_therapist)


@pytest.fixture
def condition():
    return ConditionFactory(red_flags=2)


def new_program(client, ex):
    """A create payload: a sequence (lunge with a load rule, bridge) and a step-up circuit."""
    return {
        "title": "Knee strength",
        "client": client.pk if client else None,
        "goal": "Climb stairs without pain.",
        "notes": "Stop if the knee swells.",
        "weeks": 6,
        "sessions_per_week": 4,
        "blocks": [
            {
                "title": "Warm-up",
                "kind": "sequence",
                "notes": "Easy pace.",
                "items": [
                    {
                        "exercise": ex.lunge.pk,
                        "side": "each",
                        "sets": 2,
                        "reps_min": 8,
                        "reps_max": 10,
                        "notes": "Hold a chair.",
                        "progressions": [
                            {"parameter": "load_kg", "amount": "2.5", "cap": "10"},
                        ],
                    },
                    {
                        "exercise": ex.bridge.pk,
                        "side": "both",
                        "sets": 1,
                        "reps_min": 10,
                        "reps_max": 12,
                    },
                ],
            },
            {
                "title": "Circuit",
                "kind": "circuit",
                "rounds_min": 3,
                "rounds_max": 5,
                "rest_between_rounds_seconds": 60,
                "items": [
                    {
                        "exercise": ex.step_up.pk,
                        "side": "each",
                        "reps_min": 5,
                        "reps_max": 8,
                        "step_height_cm": 15,
                        "progressions": [
                            {
                                "parameter": "step_height_cm",
                                "amount": "5",
                                "every_weeks": 2,
                                "start_week": 3,
                                "cap": "30",
                            }
                        ],
                    }
                ],
            },
        ],
    }


def build_program(owner, client, ex, **fields):
    """The same program as new_program(), written with factories."""
    program = ProgramFactory(
        owner=owner, client=client, title="Knee strength", weeks=6, sessions_per_week=4, **fields
    )
    warm_up = BlockFactory(program=program, title="Warm-up", position=0, notes="Easy pace.")
    lunge = ItemFactory(block=warm_up, exercise=ex.lunge, position=0, notes="Hold a chair.")
    ProgressionRuleFactory(item=lunge, parameter="load_kg", amount=Decimal("2.5"), cap=10)
    ItemFactory(
        block=warm_up,
        exercise=ex.bridge,
        position=1,
        side="both",
        sets=1,
        reps_min=10,
        reps_max=12,
    )
    circuit = BlockFactory(
        program=program,
        title="Circuit",
        position=1,
        kind="circuit",
        rounds_min=3,
        rounds_max=5,
        rest_between_rounds_seconds=60,
    )
    step_up = ItemFactory(
        block=circuit,
        exercise=ex.step_up,
        position=0,
        sets=None,
        reps_min=5,
        reps_max=8,
        step_height_cm=15,
    )
    ProgressionRuleFactory(
        item=step_up,
        parameter="step_height_cm",
        amount=Decimal(5),
        every_weeks=2,
        start_week=3,
        cap=Decimal(30),
    )
    return program


@pytest.fixture
def program(therapist, own_client, ex):
    return build_program(therapist, own_client, ex)


@pytest.fixture
def template(ex):
    """A shared template: no owner, no client."""
    return build_program(None, None, ex, slug="knee-strength")


def read_back(api, program):
    """The detail JSON, ready to send back with PUT or PATCH."""
    response = api.get(detail(program))
    assert response.status_code == 200, response.content
    return response.json()


class TestList:
    def test_shows_own_programs_and_shared_templates_only(
        self, as_therapist, therapist, other_therapist, program, template, ex
    ):
        own_template = ProgramFactory(owner=therapist, client=None)
        ProgramFactory(owner=other_therapist)
        ProgramFactory(owner=other_therapist, client=None)

        response = as_therapist.get(URL)
        assert ids(response) == {program.pk, own_template.pk, template.pk}
        row = next(row for row in response.json()["results"] if row["id"] == template.pk)
        assert (row["client"], row["is_template"], row["is_shared"]) == (None, True, True)
        assert "blocks" not in row

    def test_filters_by_client_status_and_is_template(
        self, as_therapist, therapist, own_client, program, template
    ):
        second_client = ClientFactory(therapist=therapist)
        active = ProgramFactory(owner=therapist, client=second_client, status="active")
        own_template = ProgramFactory(owner=therapist, client=None)

        assert ids(as_therapist.get(URL, {"client": own_client.pk})) == {program.pk}
        assert ids(as_therapist.get(URL, {"client": second_client.pk})) == {active.pk}
        assert ids(as_therapist.get(URL, {"status": "active"})) == {active.pk}
        assert ids(as_therapist.get(URL, {"status": "draft"})) == {
            program.pk,
            template.pk,
            own_template.pk,
        }
        assert ids(as_therapist.get(URL, {"is_template": "true"})) == {
            template.pk,
            own_template.pk,
        }
        assert ids(as_therapist.get(URL, {"is_template": "false"})) == {program.pk, active.pk}

    def test_filters_by_condition_slug(self, as_therapist, therapist, program, condition):
        treated = ProgramFactory(owner=therapist, condition=condition)
        assert ids(as_therapist.get(URL, {"condition": condition.slug})) == {treated.pk}
        assert as_therapist.get(URL, {"condition": "no-such-condition"}).status_code == 400

    def test_bad_filter_value_is_a_400(self, as_therapist, program):
        assert as_therapist.get(URL, {"status": "sleeping"}).status_code == 400

    def test_another_therapists_client_is_like_one_that_does_not_exist(
        self, as_therapist, other_therapist, others_client
    ):
        ProgramFactory(owner=other_therapist, client=others_client)
        response = as_therapist.get(URL, {"client": others_client.pk})
        nonexistent = as_therapist.get(URL, {"client": 999999})
        assert response.status_code == nonexistent.status_code == 400
        assert list(response.json()) == list(nonexistent.json()) == ["client"]


class TestDetail:
    def test_returns_the_nested_structure_with_exercise_details(self, as_therapist, program, ex):
        response = as_therapist.get(detail(program))
        assert response.status_code == 200
        assert response["ETag"] == f'"program-{program.pk}-v1"'
        body = response.json()
        assert [block["title"] for block in body["blocks"]] == ["Warm-up", "Circuit"]
        assert [block["kind"] for block in body["blocks"]] == ["sequence", "circuit"]
        circuit = body["blocks"][1]
        assert (circuit["rounds_min"], circuit["rounds_max"]) == (3, 5)
        assert circuit["rest_between_rounds_seconds"] == 60
        lunge, bridge = body["blocks"][0]["items"]
        assert (lunge["exercise"], lunge["side"], lunge["sets"]) == (ex.lunge.pk, "each", 2)
        assert (lunge["reps_min"], lunge["reps_max"], lunge["notes"]) == (8, 10, "Hold a chair.")
        assert lunge["exercise_detail"]["name"] == "Lunge"
        assert lunge["exercise_detail"]["steps"] == ex.lunge.steps
        assert lunge["exercise_detail"]["cues"] == ex.lunge.cues
        assert lunge["exercise_detail"]["category"] == ex.lunge.category.slug
        assert bridge["exercise_detail"]["laterality"] == "bilateral"
        [rule] = lunge["progressions"]
        assert (rule["parameter"], Decimal(rule["amount"]), Decimal(rule["cap"])) == (
            "load_kg",
            Decimal("2.5"),
            Decimal(10),
        )
        assert bridge["progressions"] == []
        step = circuit["items"][0]
        assert step["step_height_cm"] == 15
        assert step["progressions"][0]["parameter"] == "step_height_cm"
        assert step["progressions"][0]["every_weeks"] == 2

    def test_items_word_their_week_one_dose_in_the_clients_units(
        self, as_therapist, program, own_client
    ):
        own_client.units = "imperial"
        own_client.save()
        circuit = read_back(as_therapist, program)["blocks"][1]
        assert circuit["items"][0]["dose_text"] == "5–8 reps each side · 6 in step"
        own_client.units = "metric"
        own_client.save()
        circuit = read_back(as_therapist, program)["blocks"][1]
        assert circuit["items"][0]["dose_text"] == "5–8 reps each side · 15 cm step"

    def test_a_shared_template_is_readable_by_any_therapist(
        self, as_therapist, as_other_therapist, template
    ):
        for api in (as_therapist, as_other_therapist):
            response = api.get(detail(template))
            assert response.status_code == 200
            assert len(response.json()["blocks"]) == 2


class TestCreate:
    def test_creates_the_whole_structure_in_one_request(
        self, as_therapist, therapist, own_client, ex
    ):
        response = as_therapist.post(URL, new_program(own_client, ex))
        assert response.status_code == 201, response.content
        body = response.json()
        created = Program.objects.get(pk=body["id"])
        assert response["ETag"] == f'"program-{created.pk}-v1"'
        assert (created.owner, created.client, created.status) == (therapist, own_client, "draft")
        assert (created.weeks, created.sessions_per_week, created.version) == (6, 4, 1)
        assert created.goal == "Climb stairs without pain."
        assert structure(created) == structure(build_program(therapist, own_client, ex))
        assert [len(block["items"]) for block in body["blocks"]] == [2, 1]
        assert body["blocks"][0]["items"][0]["exercise_detail"]["name"] == "Lunge"

    def test_positions_follow_the_order_sent(self, as_therapist, own_client, ex):
        body = as_therapist.post(URL, new_program(own_client, ex)).json()
        assert [block["position"] for block in body["blocks"]] == [0, 1]
        assert [item["position"] for item in body["blocks"][0]["items"]] == [0, 1]

    def test_a_program_without_client_is_a_template_of_the_caller(
        self, as_therapist, therapist, ex
    ):
        response = as_therapist.post(URL, new_program(None, ex))
        assert response.status_code == 201, response.content
        assert response.json()["is_template"] is True
        assert Program.objects.get(pk=response.json()["id"]).owner == therapist

    def test_server_managed_fields_are_ignored(
        self, as_therapist, therapist, other_therapist, own_client, ex
    ):
        payload = {
            **new_program(own_client, ex),
            "owner": other_therapist.pk,
            "version": 7,
            "override_reason": "None needed",
        }
        response = as_therapist.post(URL, payload)
        assert response.status_code == 201, response.content
        created = Program.objects.get(pk=response.json()["id"])
        assert (created.owner, created.status, created.version) == (therapist, "draft", 1)
        assert created.override_reason == "" and created.activated_at is None

    def test_own_private_exercise_may_be_prescribed(self, as_therapist, own_client, ex):
        payload = new_program(own_client, ex)
        payload["blocks"][0]["items"].append({"exercise": ex.mine.pk, "side": "alternating"})
        response = as_therapist.post(URL, payload)
        assert response.status_code == 201, response.content
        assert response.json()["blocks"][0]["items"][2]["exercise"] == ex.mine.pk


class TestUpdate:
    def test_put_replaces_the_structure(self, as_therapist, program, ex):
        old_items = item_ids(program)
        payload = {
            "title": "Hip strength",
            "client": program.client_id,
            "weeks": 4,
            "blocks": [
                {
                    "title": "Only block",
                    "items": [{"exercise": ex.bridge.pk, "side": "both", "reps_min": 12}],
                }
            ],
        }
        response = as_therapist.put(detail(program), payload)
        assert response.status_code == 200, response.content
        program.refresh_from_db()
        assert (program.title, program.weeks, program.version) == ("Hip strength", 4, 2)
        [block] = structure(program)
        assert block["title"] == "Only block" and len(block["items"]) == 1
        assert block["items"][0]["exercise"] == ex.bridge.pk
        assert block["items"][0]["reps_min"] == 12 and block["items"][0]["rules"] == []
        assert not Item.objects.filter(pk__in=old_items).exists()
        assert counts()[1:] == (1, 1, 0)

    def test_patch_of_top_level_fields_keeps_the_blocks(self, as_therapist, program):
        before = structure(program, with_ids=True)
        response = as_therapist.patch(detail(program), {"title": "Renamed", "weeks": 10})
        assert response.status_code == 200, response.content
        program.refresh_from_db()
        assert (program.title, program.weeks, program.version) == ("Renamed", 10, 2)
        assert structure(program, with_ids=True) == before
        assert len(response.json()["blocks"]) == 2

    def test_patch_with_blocks_updates_items_in_place_and_removes_left_out_ones(
        self, as_therapist, program, ex
    ):
        body = read_back(as_therapist, program)
        before = structure(program, with_ids=True)
        warm_up, circuit = body["blocks"]
        lunge, bridge = warm_up["items"]
        lunge.update(reps_max=12, notes="No chair needed.")
        lunge["progressions"] = [{"parameter": "reps", "amount": "1", "cap": "15"}]
        warm_up["title"] = "Warm-up, longer"
        warm_up["items"] = [lunge, {"exercise": ex.mine.pk, "side": "alternating"}]

        response = as_therapist.patch(detail(program), {"blocks": [warm_up, circuit]})
        assert response.status_code == 200, response.content
        after = structure(program, with_ids=True)
        assert [block["id"] for block in after] == [block["id"] for block in before]
        assert after[0]["title"] == "Warm-up, longer"
        kept, added = after[0]["items"]
        assert kept["id"] == lunge["id"]
        assert (kept["reps_max"], kept["notes"]) == (12, "No chair needed.")
        assert [rule["parameter"] for rule in kept["rules"]] == ["reps"]
        assert added["id"] not in {item["id"] for item in before[0]["items"]}
        assert added["exercise"] == ex.mine.pk
        assert not Item.objects.filter(pk=bridge["id"]).exists()
        assert after[1] == before[1]
        assert Program.objects.get(pk=program.pk).version == 2

    def test_an_item_keeps_an_exercise_archived_since(self, as_therapist, program, ex):
        body = read_back(as_therapist, program)
        ex.lunge.is_archived = True
        ex.lunge.save()
        lunge = body["blocks"][0]["items"][0]
        assert lunge["exercise"] == ex.lunge.pk
        lunge["notes"] = "Still the lunge."
        response = as_therapist.put(detail(program), body)
        assert response.status_code == 200, response.content

        body["blocks"][0]["items"].append({"exercise": ex.lunge.pk, "side": "each"})
        response = as_therapist.put(detail(program), body)
        assert response.status_code == 400
        assert "archived" in error_at(response.json(), ("blocks", 0, "items", 2, "exercise"))[0]

    def test_an_item_keeps_its_id_when_moved_to_another_block(self, as_therapist, program):
        body = read_back(as_therapist, program)
        warm_up, circuit = body["blocks"]
        circuit["items"].append(warm_up["items"].pop(1))
        response = as_therapist.put(detail(program), {**body, "blocks": [warm_up, circuit]})
        assert response.status_code == 200, response.content
        bridge_id = circuit["items"][1]["id"]
        assert Item.objects.get(pk=bridge_id).block_id == circuit["id"]
        assert response.json()["blocks"][1]["items"][1]["id"] == bridge_id

    def test_items_sent_without_ids_are_new_rows(self, as_therapist, program, own_client, ex):
        old_items = item_ids(program)
        response = as_therapist.put(detail(program), new_program(own_client, ex))
        assert response.status_code == 200, response.content
        assert not item_ids(program) & old_items
        assert structure(program) == structure(build_program(None, None, ex))

    def test_fields_left_out_of_a_kept_item_keep_their_stored_values(
        self, as_therapist, program, ex
    ):
        body = read_back(as_therapist, program)
        lunge = body["blocks"][0]["items"][0]
        blocks = [{"id": body["blocks"][0]["id"], "items": [{"id": lunge["id"], "reps_max": 12}]}]
        response = as_therapist.patch(detail(program), {"blocks": blocks})
        assert response.status_code == 200, response.content
        [block] = structure(program, with_ids=True)
        assert block["title"] == "Warm-up"
        [item] = block["items"]
        assert (item["id"], item["exercise"], item["side"]) == (lunge["id"], ex.lunge.pk, "each")
        assert (item["sets"], item["reps_min"], item["reps_max"]) == (2, 8, 12)
        assert item["notes"] == "Hold a chair."

    def test_a_kept_item_sent_without_progressions_keeps_its_rules(self, as_therapist, program):
        body = read_back(as_therapist, program)
        lunge = body["blocks"][0]["items"][0]
        blocks = [{"id": body["blocks"][0]["id"], "items": [{"id": lunge["id"], "reps_max": 12}]}]
        assert as_therapist.patch(detail(program), {"blocks": blocks}).status_code == 200
        [block] = structure(program, with_ids=True)
        assert [rule["parameter"] for rule in block["items"][0]["rules"]] == ["load_kg"]

    def test_a_kept_block_sent_without_items_keeps_its_items(self, as_therapist, program):
        before = structure(program, with_ids=True)
        body = read_back(as_therapist, program)
        blocks = [{"id": block["id"], "title": block["title"] + "!"} for block in body["blocks"]]
        assert as_therapist.patch(detail(program), {"blocks": blocks}).status_code == 200
        after = structure(program, with_ids=True)
        assert [block["items"] for block in after] == [block["items"] for block in before]
        assert [block["title"] for block in after] == ["Warm-up!", "Circuit!"]

    @pytest.mark.parametrize(
        "item, path",
        [
            ({"reps_min": 11}, ("reps_max",)),
            ({"exercise": "bridge"}, ("side",)),
            ({"progressions": [{"parameter": "load_kg", "amount": "1", "cap": "0.5"}]}, None),
        ],
    )
    def test_a_kept_item_is_checked_as_it_will_be_stored(
        self, as_therapist, program, ex, item, path
    ):
        body = read_back(as_therapist, program)
        lunge = body["blocks"][0]["items"][0]
        Item.objects.filter(pk=lunge["id"]).update(load_kg=Decimal(2))
        if item.get("exercise"):
            item = {"exercise": getattr(ex, item["exercise"]).pk}
        blocks = [{"id": body["blocks"][0]["id"], "items": [{"id": lunge["id"], **item}]}]
        before = state(program)
        response = as_therapist.patch(detail(program), {"blocks": blocks})
        assert response.status_code == 400, response.content
        path = path or ("progressions", 0, "cap")
        error_at(response.json(), ("blocks", 0, "items", 0, *path))
        assert state(program) == before

    def test_a_new_block_or_item_in_patch_needs_its_required_fields(self, as_therapist, program):
        before = state(program)
        response = as_therapist.patch(detail(program), {"blocks": [{"items": []}]})
        assert response.status_code == 400
        error_at(response.json(), ("blocks", 0, "title"))
        response = as_therapist.patch(
            detail(program), {"blocks": [{"title": "New", "items": [{"side": "each"}]}]}
        )
        assert response.status_code == 400
        error_at(response.json(), ("blocks", 0, "items", 0, "exercise"))
        assert state(program) == before

    def test_only_a_draft_moves_to_another_client(self, as_therapist, therapist, program):
        other_client = ClientFactory(therapist=therapist)
        response = as_therapist.patch(detail(program), {"client": other_client.pk})
        assert response.status_code == 200, response.content
        program.refresh_from_db()
        assert program.client == other_client

        Program.objects.filter(pk=program.pk).update(status="active")
        response = as_therapist.patch(detail(program), {"client": other_client.pk})
        assert response.status_code == 200, response.content
        before = state(program)
        response = as_therapist.patch(
            detail(program), {"client": ClientFactory(therapist=therapist).pk}
        )
        assert response.status_code == 400
        assert "client" in response.json()
        assert state(program) == before
        assert Program.objects.get(pk=program.pk).client == other_client


def side_each_on_bilateral(payload):
    payload["blocks"][0]["items"][1]["side"] = "each"
    return ("blocks", 0, "items", 1, "side")


def reps_min_above_reps_max(payload):
    payload["blocks"][0]["items"][1].update(reps_min=12, reps_max=8)
    return ("blocks", 0, "items", 1, "reps_max")


def rule_on_a_parameter_the_exercise_cannot_progress(payload):
    payload["blocks"][0]["items"][0]["progressions"].append(
        {"parameter": "step_height_cm", "amount": "5"}
    )
    return ("blocks", 0, "items", 0, "progressions", 1, "parameter")


def percent_rule_without_a_base_value(payload):
    payload["blocks"][0]["items"][0]["progressions"] = [
        {"parameter": "load_kg", "mode": "percent", "amount": "10"}
    ]
    return ("blocks", 0, "items", 0, "progressions", 0, "mode")


def cap_below_the_starting_value(payload):
    payload["blocks"][1]["items"][0]["progressions"][0]["cap"] = "10"
    return ("blocks", 1, "items", 0, "progressions", 0, "cap")


def two_rules_on_one_parameter(payload):
    payload["blocks"][0]["items"][0]["progressions"].append({"parameter": "load_kg", "amount": "1"})
    return ("blocks", 0, "items", 0, "progressions", 1, "parameter")


def unknown_rule_parameter(payload):
    payload["blocks"][1]["items"][0]["progressions"][0]["parameter"] = "wingspan"
    return ("blocks", 1, "items", 0, "progressions", 0, "parameter")


def another_therapists_private_exercise(payload):
    payload["blocks"][1]["items"][0]["exercise"] = CustomExerciseFactory().pk
    return ("blocks", 1, "items", 0, "exercise")


def unknown_exercise(payload):
    payload["blocks"][0]["items"][1]["exercise"] = 999999
    return ("blocks", 0, "items", 1, "exercise")


def an_archived_exercise(payload):
    payload["blocks"][0]["items"][1]["exercise"] = ExerciseFactory(is_archived=True).pk
    return ("blocks", 0, "items", 1, "exercise")


def new_item_without_exercise(payload):
    payload["blocks"][0]["items"][1].pop("id", None)
    del payload["blocks"][0]["items"][1]["exercise"]
    return ("blocks", 0, "items", 1, "exercise")


def rounds_max_below_rounds_min(payload):
    payload["blocks"][1]["rounds_max"] = 2
    return ("blocks", 1, "rounds_max")


def negative_load(payload):
    payload["blocks"][0]["items"][0]["load_kg"] = "-5"
    return ("blocks", 0, "items", 0, "load_kg")


def another_therapists_client(payload):
    payload["client"] = ClientFactory().pk
    return ("client",)


def too_many_weeks(payload):
    payload["weeks"] = 500
    return ("weeks",)


INVALID = [
    side_each_on_bilateral,
    reps_min_above_reps_max,
    rule_on_a_parameter_the_exercise_cannot_progress,
    percent_rule_without_a_base_value,
    cap_below_the_starting_value,
    two_rules_on_one_parameter,
    unknown_rule_parameter,
    another_therapists_private_exercise,
    unknown_exercise,
    an_archived_exercise,
    new_item_without_exercise,
    rounds_max_below_rounds_min,
    negative_load,
    another_therapists_client,
    too_many_weeks,
]


class TestAtomicity:
    @pytest.mark.parametrize("spoil", INVALID, ids=lambda spoil: spoil.__name__)
    def test_create_with_one_invalid_part_saves_nothing(self, as_therapist, own_client, ex, spoil):
        payload = new_program(own_client, ex)
        path = spoil(payload)
        before = counts()
        response = as_therapist.post(URL, payload)
        assert response.status_code == 400, response.content
        error_at(response.json(), path)
        assert counts() == before

    @pytest.mark.parametrize("method", ["put", "patch"])
    @pytest.mark.parametrize("spoil", INVALID, ids=lambda spoil: spoil.__name__)
    def test_update_with_one_invalid_part_changes_nothing(
        self, as_therapist, program, spoil, method
    ):
        payload = read_back(as_therapist, program)
        payload["title"] = "Changed"
        payload["blocks"][0]["items"][0]["reps_max"] = 15
        path = spoil(payload)
        before = state(program)
        response = getattr(as_therapist, method)(detail(program), payload)
        assert response.status_code == 400, response.content
        error_at(response.json(), path)
        assert state(program) == before

    @pytest.mark.parametrize("kind", ["item", "block"])
    def test_an_id_from_another_program_is_a_400_and_changes_nothing(
        self, as_therapist, therapist, program, ex, kind
    ):
        elsewhere = build_program(therapist, program.client, ex)
        stranger = elsewhere.blocks.first()
        payload = read_back(as_therapist, program)
        payload["title"] = "Changed"
        if kind == "item":
            payload["blocks"][1]["items"][0]["id"] = stranger.items.first().pk
            path = ("blocks", 1, "items", 0, "id")
        else:
            payload["blocks"][1]["id"] = stranger.pk
            path = ("blocks", 1, "id")
        before, before_elsewhere = state(program), state(elsewhere)
        response = as_therapist.put(detail(program), payload)
        assert response.status_code == 400, response.content
        error_at(response.json(), path)
        assert state(program) == before
        assert state(elsewhere) == before_elsewhere

    @pytest.mark.parametrize("method", ["put", "patch"])
    def test_an_item_sent_twice_is_a_400_and_changes_nothing(self, as_therapist, program, method):
        payload = read_back(as_therapist, program)
        payload["blocks"][1]["items"].append(dict(payload["blocks"][0]["items"][0]))
        before = state(program)
        response = getattr(as_therapist, method)(detail(program), payload)
        assert response.status_code == 400, response.content
        error_at(response.json(), ("blocks", 1, "items", 1, "id"))
        assert state(program) == before

    def test_a_rule_in_patch_must_be_whole(self, as_therapist, program):
        payload = read_back(as_therapist, program)
        payload["blocks"][0]["items"][0]["progressions"] = [{"parameter": "reps"}]
        before = state(program)
        response = as_therapist.patch(detail(program), {"blocks": payload["blocks"]})
        assert response.status_code == 400, response.content
        error_at(response.json(), ("blocks", 0, "items", 0, "progressions", 0, "amount"))
        assert state(program) == before

    def test_an_upper_pain_threshold_below_the_gate_is_a_400(self, as_therapist, program):
        payload = read_back(as_therapist, program)
        rule = {"parameter": "reps", "amount": "1", "trigger": "gated", "pain_threshold": 4}
        payload["blocks"][0]["items"][0]["progressions"] = [{**rule, "regress_above": 3}]
        before = state(program)
        response = as_therapist.put(detail(program), payload)
        assert response.status_code == 400, response.content
        message = error_at(
            response.json(), ("blocks", 0, "items", 0, "progressions", 0, "regress_above")
        )
        assert "pain threshold (4/10)" in str(message)
        assert state(program) == before

    def test_ids_on_create_do_not_take_rows_from_another_program(
        self, as_therapist, program, own_client, ex
    ):
        payload = new_program(own_client, ex)
        payload["blocks"][0]["items"][0]["id"] = program.blocks.first().items.first().pk
        before = state(program)
        response = as_therapist.post(URL, payload)
        assert response.status_code == 400, response.content
        error_at(response.json(), ("blocks", 0, "items", 0, "id"))
        assert state(program) == before


class TestVersioning:
    def test_every_change_raises_the_version_by_one(self, as_therapist, program, condition):
        response = as_therapist.patch(detail(program), {"title": "Second"})
        assert (response.json()["version"], response["ETag"]) == (2, f'"program-{program.pk}-v2"')
        response = as_therapist.put(detail(program), read_back(as_therapist, program))
        assert (response.json()["version"], response["ETag"]) == (3, f'"program-{program.pk}-v3"')
        response = as_therapist.post(action(program, "activate"), {"override_reason": "GP ok"})
        assert (response.json()["version"], response["ETag"]) == (4, f'"program-{program.pk}-v4"')
        assert as_therapist.get(detail(program))["ETag"] == f'"program-{program.pk}-v4"'
        assert Program.objects.get(pk=program.pk).version == 4

    @pytest.mark.parametrize("method", ["patch", "put", "delete"])
    def test_a_stale_if_match_is_a_412_and_changes_nothing(self, as_therapist, program, method):
        payload = read_back(as_therapist, program)
        stale = f'"program-{program.pk}-v1"'
        as_therapist.patch(detail(program), {"title": "Moved on"})
        before = state(program)
        payload["title"] = "Overwritten"
        response = getattr(as_therapist, method)(detail(program), payload, HTTP_IF_MATCH=stale)
        assert response.status_code == 412, response.content
        assert state(program) == before

    @pytest.mark.parametrize("method", ["patch", "put"])
    @pytest.mark.parametrize("tag", ['"program-{pk}-v1"', 'W/"program-{pk}-v1"', "*"])
    def test_a_matching_if_match_succeeds(self, as_therapist, program, method, tag):
        payload = {**read_back(as_therapist, program), "title": "Updated"}
        response = getattr(as_therapist, method)(
            detail(program), payload, HTTP_IF_MATCH=tag.format(pk=program.pk)
        )
        assert response.status_code == 200, response.content
        assert Program.objects.get(pk=program.pk).title == "Updated"

    def test_activate_honours_if_match(self, as_therapist, program):
        stale = program.etag
        as_therapist.patch(detail(program), {"title": "Renamed"})
        response = as_therapist.post(
            action(program, "activate"), {"override_reason": "Cleared"}, HTTP_IF_MATCH=stale
        )
        assert response.status_code == 412
        program.refresh_from_db()
        assert program.status == "draft"

    def test_a_matching_if_match_deletes(self, as_therapist, program):
        etag = as_therapist.get(detail(program))["ETag"]
        assert as_therapist.delete(detail(program), HTTP_IF_MATCH=etag).status_code == 204
        assert not Program.objects.filter(pk=program.pk).exists()

    def test_no_if_match_succeeds(self, as_therapist, program):
        assert as_therapist.patch(detail(program), {"title": "Free"}).status_code == 200
        assert Program.objects.get(pk=program.pk).title == "Free"


class TestActivate:
    def activate(self, api, program, **body):
        return api.post(action(program, "activate"), body)

    def assert_refused(self, response, program, before):
        assert response.status_code == 409, response.content
        assert "detail" in response.json()
        assert state(program) == before
        program.refresh_from_db()
        assert program.activated_at is None and program.start_date is None

    def test_without_a_screening_is_a_409(self, as_therapist, program):
        before = state(program)
        self.assert_refused(self.activate(as_therapist, program), program, before)

    def test_with_a_screening_older_than_30_days_is_a_409(self, as_therapist, program, condition):
        ScreeningFactory(
            client=program.client,
            condition=condition,
            performed_at=timezone.now() - timedelta(days=31),
        )
        before = state(program)
        self.assert_refused(self.activate(as_therapist, program), program, before)

    def test_with_a_recent_positive_screening_is_a_409(self, as_therapist, program, condition):
        ScreeningFactory(client=program.client, condition=condition, positive=True)
        before = state(program)
        self.assert_refused(self.activate(as_therapist, program), program, before)

    def test_a_newer_positive_screening_outweighs_an_older_clear_one(
        self, as_therapist, program, condition
    ):
        ScreeningFactory(
            client=program.client,
            condition=condition,
            performed_at=timezone.now() - timedelta(days=5),
        )
        ScreeningFactory(client=program.client, condition=condition, positive=True)
        before = state(program)
        self.assert_refused(self.activate(as_therapist, program), program, before)

    def test_another_clients_screening_does_not_count(self, as_therapist, program, condition):
        ScreeningFactory(condition=condition)
        before = state(program)
        self.assert_refused(self.activate(as_therapist, program), program, before)

    def test_with_a_recent_clear_screening_activates(
        self, as_therapist, therapist, program, condition
    ):
        ScreeningFactory(
            client=program.client,
            condition=condition,
            performed_at=timezone.now() - timedelta(days=29),
        )
        response = self.activate(as_therapist, program)
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["status"], body["activated_by"]) == ("active", therapist.pk)
        program.refresh_from_db()
        assert program.status == "active" and program.activated_by == therapist
        assert program.start_date == timezone.localdate()
        assert program.activated_at is not None and program.override_reason == ""

    def test_an_override_reason_activates_without_a_screening(
        self, as_therapist, therapist, program
    ):
        response = self.activate(as_therapist, program, override_reason="Cleared by GP today.")
        assert response.status_code == 200, response.content
        assert response.json()["override_reason"] == "Cleared by GP today."
        program.refresh_from_db()
        assert (program.status, program.activated_by) == ("active", therapist)
        assert program.override_reason == "Cleared by GP today."
        assert program.activated_at is not None and program.start_date is not None

    def test_a_blank_override_reason_is_no_reason(self, as_therapist, program):
        before = state(program)
        response = self.activate(as_therapist, program, override_reason="   ")
        self.assert_refused(response, program, before)

    def test_a_template_cannot_be_activated(self, as_therapist, therapist, ex):
        own_template = build_program(therapist, None, ex)
        before = state(own_template)
        response = self.activate(as_therapist, own_template, override_reason="Because")
        self.assert_refused(response, own_template, before)

    def test_an_active_program_cannot_be_activated_again(self, as_therapist, program):
        assert self.activate(as_therapist, program, override_reason="GP ok").status_code == 200
        before = state(program)
        response = self.activate(as_therapist, program, override_reason="Again")
        assert response.status_code == 409
        assert state(program) == before
        assert Program.objects.get(pk=program.pk).override_reason == "GP ok"


class TestCopy:
    def test_copy_without_client_is_a_new_draft_of_the_caller(
        self, as_therapist, therapist, program
    ):
        Program.objects.filter(pk=program.pk).update(status="active")
        response = as_therapist.post(action(program, "copy"), {})
        assert response.status_code == 201, response.content
        copy = Program.objects.get(pk=response.json()["id"])
        assert response["ETag"] == f'"program-{copy.pk}-v1"'
        assert copy.pk != program.pk
        assert (copy.owner, copy.client, copy.source, copy.status) == (
            therapist,
            None,
            program,
            "draft",
        )
        assert (copy.title, copy.weeks, copy.sessions_per_week) == ("Knee strength", 6, 4)
        assert copy.activated_at is None and copy.version == 1
        assert structure(copy) == structure(program)
        assert not item_ids(copy) & item_ids(program)
        copied_blocks = set(copy.blocks.values_list("pk", flat=True))
        assert not copied_blocks & set(program.blocks.values_list("pk", flat=True))
        copied_rules = ProgressionRule.objects.filter(item__block__program=copy)
        assert copied_rules.count() == 2
        assert not set(copied_rules.values_list("pk", flat=True)) & set(
            ProgressionRule.objects.filter(item__block__program=program).values_list(
                "pk", flat=True
            )
        )

    def test_copy_for_a_client(self, as_therapist, therapist, program):
        second_client = ClientFactory(therapist=therapist)
        response = as_therapist.post(action(program, "copy"), {"client": second_client.pk})
        assert response.status_code == 201, response.content
        copy = Program.objects.get(pk=response.json()["id"])
        assert (copy.client, copy.source) == (second_client, program)
        assert structure(copy) == structure(program)

    def test_any_therapist_applies_a_shared_template(
        self, as_other_therapist, other_therapist, others_client, template
    ):
        before = state(template)
        response = as_other_therapist.post(action(template, "copy"), {"client": others_client.pk})
        assert response.status_code == 201, response.content
        copy = Program.objects.get(pk=response.json()["id"])
        assert (copy.owner, copy.client, copy.source) == (other_therapist, others_client, template)
        assert copy.slug == "" and not copy.is_shared
        assert structure(copy) == structure(template)
        assert state(template)[1:] == before[1:]

    def test_copy_to_another_therapists_client_is_a_400(self, as_therapist, program, others_client):
        before = counts()
        response = as_therapist.post(action(program, "copy"), {"client": others_client.pk})
        assert response.status_code == 400
        assert "client" in response.json()
        assert counts() == before

    def test_another_therapists_program_is_a_404(self, as_other_therapist, program):
        before = counts()
        assert as_other_therapist.post(action(program, "copy"), {}).status_code == 404
        assert counts() == before


class TestSchedule:
    def test_every_item_week_by_week_from_the_engine(self, as_therapist, program):
        response = as_therapist.get(action(program, "schedule"), {"weeks": 5})
        assert response.status_code == 200, response.content
        rows = response.json()
        assert [row["exercise"] for row in rows] == ["Lunge", "Bridge", "Step up"]
        assert [row["block"] for row in rows] == ["Warm-up", "Warm-up", "Circuit"]
        assert all(len(row["weeks"]) == 5 for row in rows)
        lunge, bridge, step_up = rows
        assert lunge["item"] == program.blocks.first().items.first().pk
        loads = [week["dose"]["load_kg"] for week in lunge["weeks"]]
        assert loads == [None, "2.50", "5.00", "7.50", "10.00"]
        assert lunge["weeks"][0]["reasons"] == {}
        assert lunge["weeks"][1]["reasons"] == {"load_kg": "+2.5 kg (weekly from week 2)"}
        assert [week["dose"]["step_height_cm"] for week in step_up["weeks"]] == [
            15,
            15,
            20,
            20,
            25,
        ]
        assert [week["dose"]["reps_max"] for week in bridge["weeks"]] == [12] * 5
        assert all(week["reasons"] == {} for week in bridge["weeks"])
        assert all(week["dose_text"] for row in rows for week in row["weeks"])

    def test_matches_the_engine_exactly(self, as_therapist, program):
        Program.objects.filter(pk=program.pk).update(weeks=12)
        rows = as_therapist.get(action(program, "schedule"), {"weeks": 12}).json()
        step_up = rows[2]
        engine = progression.schedule(
            progression.Dose(reps_min=5, reps_max=8, step_height_cm=15),
            [
                progression.Rule(
                    parameter="step_height_cm",
                    amount=Decimal(5),
                    every_weeks=2,
                    start_week=3,
                    cap=Decimal(30),
                )
            ],
            12,
        )
        assert [week["week"] for week in step_up["weeks"]] == list(range(1, 13))
        assert [week["dose"]["step_height_cm"] for week in step_up["weeks"]] == [
            week.dose.step_height_cm for week in engine
        ]
        assert [week["reasons"] for week in step_up["weeks"]] == [week.reasons for week in engine]
        assert step_up["weeks"][2]["reasons"] == {
            "step_height_cm": "+5 cm (every 2 weeks from week 3)"
        }
        assert step_up["weeks"][8]["reasons"] == {"step_height_cm": "capped at 30 cm"}

    def test_defaults_to_the_programs_length(self, as_therapist, program):
        rows = as_therapist.get(action(program, "schedule")).json()
        assert all(len(row["weeks"]) == 6 for row in rows)

    @pytest.mark.parametrize("weeks", [0, -1, 7, 105, "many"])
    def test_weeks_out_of_range_is_a_400(self, as_therapist, program, weeks):
        """Beyond the program's 6 weeks too: the client app's `week` keeps the same rule."""
        response = as_therapist.get(action(program, "schedule"), {"weeks": weeks})
        assert response.status_code == 400
        assert "weeks" in response.json()

    def test_a_shared_template_is_schedulable_by_any_therapist(self, as_other_therapist, template):
        response = as_other_therapist.get(action(template, "schedule"), {"weeks": 3})
        assert response.status_code == 200
        assert len(response.json()) == 3


def program_endpoints(program, ex):
    """(method, url, body, status for the owner) for every program endpoint."""
    return [
        ("get", URL, None, 200),
        ("post", URL, new_program(program.client, ex), 201),
        ("get", detail(program), None, 200),
        ("put", detail(program), new_program(program.client, ex), 200),
        ("patch", detail(program), {"title": "Patched"}, 200),
        ("delete", detail(program), None, 204),
        ("post", action(program, "activate"), {"override_reason": "GP ok"}, 200),
        ("post", action(program, "copy"), {}, 201),
        ("get", action(program, "schedule"), None, 200),
    ]


ENDPOINTS = ["list", "create", "get", "put", "patch", "delete", "activate", "copy", "schedule"]
OBJECT_ENDPOINTS = ENDPOINTS[2:]


def call(api, program, ex, name):
    method, url, body, expected = program_endpoints(program, ex)[ENDPOINTS.index(name)]
    return getattr(api, method)(url, body), expected


class TestPermissions:
    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_anonymous_gets_401(self, api, program, ex, name):
        before = state(program)
        assert call(api, program, ex, name)[0].status_code == 401
        assert state(program) == before

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_client_user_gets_403(self, as_client, program, ex, name):
        before = state(program)
        assert call(as_client, program, ex, name)[0].status_code == 403
        assert state(program) == before

    @pytest.mark.parametrize("name", OBJECT_ENDPOINTS)
    def test_other_therapist_gets_404(self, as_other_therapist, program, ex, name):
        before = state(program)
        assert call(as_other_therapist, program, ex, name)[0].status_code == 404
        assert state(program) == before

    def test_other_therapist_does_not_see_it_in_the_list(self, as_other_therapist, program):
        assert program.pk not in ids(as_other_therapist.get(URL))

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_owner_succeeds(self, as_therapist, program, ex, name):
        response, expected = call(as_therapist, program, ex, name)
        assert response.status_code == expected, response.content

    @pytest.mark.parametrize("name", ENDPOINTS)
    def test_superuser_succeeds(self, as_superuser, program, ex, name):
        response, expected = call(as_superuser, program, ex, name)
        assert response.status_code == expected, response.content

    @pytest.mark.parametrize("name", ["put", "patch", "delete", "activate"])
    def test_shared_template_is_read_only_for_therapists(self, as_therapist, template, ex, name):
        before = state(template)
        assert call(as_therapist, template, ex, name)[0].status_code == 403
        assert state(template) == before

    @pytest.mark.parametrize("name", ["get", "copy", "schedule"])
    def test_shared_template_is_readable_by_therapists(self, as_therapist, template, ex, name):
        response, expected = call(as_therapist, template, ex, name)
        assert response.status_code == expected, response.content

    def test_superuser_activating_a_template_is_a_409(self, as_superuser, template, ex):
        before = state(template)
        assert call(as_superuser, template, ex, "activate")[0].status_code == 409
        assert state(template) == before

    def test_cannot_point_a_program_at_another_therapists_client(
        self, as_therapist, program, others_client, ex
    ):
        before = state(program)
        response = as_therapist.post(URL, new_program(others_client, ex))
        assert response.status_code == 400 and "client" in response.json()
        response = as_therapist.patch(detail(program), {"client": others_client.pk})
        assert response.status_code == 400 and "client" in response.json()
        assert state(program) == before

    def test_deleting_a_draft_removes_its_structure(self, as_therapist, program):
        assert as_therapist.delete(detail(program)).status_code == 204
        assert counts() == (0, 0, 0, 0)

    def test_deleting_an_active_program_is_a_409(self, as_therapist, program):
        response = as_therapist.post(action(program, "activate"), {"override_reason": "ok"})
        assert response.status_code == 200
        before = state(program)
        response = as_therapist.delete(detail(program))
        assert response.status_code == 409
        assert state(program) == before


def large_program(owner, client, blocks=5, items=6):
    program = ProgramFactory(owner=owner, client=client)
    for _ in range(blocks):
        block = BlockFactory(program=program)
        for _ in range(items):
            ProgressionRuleFactory(item=ItemFactory(block=block))
    return program


class TestQueryCounts:
    @pytest.mark.parametrize("size", [(1, 1), (5, 6)])
    def test_detail_does_not_grow_with_blocks_and_items(
        self, as_therapist, therapist, own_client, django_assert_num_queries, size
    ):
        program = large_program(therapist, own_client, *size)
        # therapist group, the program (client and condition joined) with its cache state, the
        # program again to render it while the cache is empty, blocks, items (exercise and
        # category joined), rules, the audit event
        with django_assert_num_queries(7):
            response = as_therapist.get(detail(program))
        assert response.status_code == 200
        assert sum(len(block["items"]) for block in response.json()["blocks"]) == size[0] * size[1]

    @pytest.mark.parametrize("size", [(1, 1), (5, 6)])
    def test_schedule_does_not_grow_with_blocks_and_items(
        self, as_therapist, therapist, own_client, django_assert_num_queries, size
    ):
        program = large_program(therapist, own_client, *size)
        # therapist group, program (client and condition joined, with its cache state) twice
        # while the cache is empty, blocks, items (exercise and category joined), rules, the
        # audit event
        with django_assert_num_queries(7):
            response = as_therapist.get(action(program, "schedule"))
        assert response.status_code == 200
        assert len(response.json()) == size[0] * size[1]
        with django_assert_num_queries(2):  # the program row with its cache state, the audit
            again = as_therapist.get(action(program, "schedule"))
        assert again.json() == response.json()

    @pytest.mark.parametrize("count", [2, 20])
    def test_list_does_not_grow_with_programs(
        self, as_therapist, therapist, own_client, django_assert_num_queries, count
    ):
        for _ in range(count):
            large_program(therapist, own_client, 2, 2)
        # therapist group, count, page (client and condition joined), the audit event
        with django_assert_num_queries(4):
            response = as_therapist.get(URL)
        assert response.status_code == 200
        assert response.json()["count"] == count
