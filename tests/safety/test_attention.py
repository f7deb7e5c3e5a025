"""What needs attention: one list for the therapist, most urgent first, over the API and as the
admin's home page. Each kind is on it while its cause holds and not otherwise; a therapist sees
their own clients' rows only; an item marked for review is cleared in place."""

from datetime import timedelta
from uuid import uuid4

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from exercises.models import RedFlag
from programs.models import Item, Program
from safety.models import Attention
from safety.selectors import attention_list
from tests.conftest import client_for
from tests.factories import (
    ClientFactory,
    ClientUserFactory,
    ConditionFactory,
    ExerciseLogFactory,
    ItemFactory,
    ProgramFactory,
    ProgressionRuleFactory,
    RedFlagFactory,
    ScreeningFactory,
    SessionFactory,
    SuperuserFactory,
    TherapistFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/attention/"


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def running(
    therapist, *, started_days_ago=3, weeks=8, screened_days_ago=1, status=Program.Status.ACTIVE
):
    """An active program of a new client of the therapist's with one item, screened clear,
    with a session yesterday once it has started: nothing about it needs attention."""
    program = ProgramFactory(
        owner=therapist,
        status=status,
        start_date=days_ago(started_days_ago),
        weeks=weeks,
    )
    ItemFactory(block__program=program, exercise__name="Split squat")
    if screened_days_ago is not None:
        ScreeningFactory(client=program.client, performed_at=ago(days=screened_days_ago))
    if started_days_ago >= 1:
        SessionFactory(program=program, performed_at=ago(days=1))
    return program


def item_of(program) -> Item:
    return Item.objects.get(block__program=program)


def log(program, *, pain, when=None, symptoms_spread=False):
    """A session with the item done, through the client app as the client logs it."""
    program.client.refresh_from_db()
    app = client_for(program.client.user or ClientUserFactory(client_profile=program.client))
    response = app.post(
        "/api/v1/me/sessions/",
        {
            "client_uuid": str(uuid4()),
            "program": program.pk,
            "performed_at": (when or ago(hours=2)).isoformat(),
            "symptoms_spread": symptoms_spread,
            "entries": [{"item": item_of(program).pk, "side": "left", "reps": 10, "pain": pain}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content


def raise_flag(client, *, emergency: bool, hours_ago=1) -> Attention:
    flag = RedFlagFactory(kind=RedFlag.Kind.EMERGENCY if emergency else RedFlag.Kind.STOP)
    attention = Attention.objects.create(
        client=client, is_emergency=emergency, raised_at=ago(hours=hours_ago)
    )
    attention.red_flags.set([flag])
    return attention


def kinds(api, **params) -> list[str]:
    response = api.get(LIST, params)
    assert response.status_code == 200, response.content
    return [row["kind"] for row in response.json()["results"]]


@pytest.fixture
def program(therapist):
    return running(therapist)


def test_a_program_going_well_needs_no_attention(as_therapist, program):
    assert kinds(as_therapist) == []


class TestRedFlags:
    def test_open_ones_are_listed_emergencies_first_and_cleared_ones_leave(
        self, as_therapist, therapist, program
    ):
        stop = raise_flag(program.client, emergency=False, hours_ago=1)
        emergency = raise_flag(program.client, emergency=True, hours_ago=5)
        rows = as_therapist.get(LIST).json()["results"]
        assert [(row["id"], row["severity"]) for row in rows] == [
            (emergency.pk, "emergency"),
            (stop.pk, "red_flag"),
        ]
        assert "contact the client now" in rows[0]["text"]
        assert rows[0]["admin_url"] == reverse("admin:safety_attention_change", args=[emergency.pk])

        cleared = as_therapist.post(f"{LIST}{stop.pk}/clear/", {"reason": "GP"}, format="json")
        assert cleared.status_code == 200
        assert [row["id"] for row in as_therapist.get(LIST).json()["results"]] == [emergency.pk]
        [history] = as_therapist.get(LIST, {"cleared": "true"}).json()["results"]
        assert history["id"] == stop.pk and "Cleared on" in history["text"]


class TestItemsMarkedForReview:
    def test_pain_above_five_is_one_review_row_that_says_why(self, as_therapist, program):
        ProgressionRuleFactory(item=item_of(program), trigger="gated", pain_threshold=3)
        log(program, pain=7)
        [row] = as_therapist.get(LIST).json()["results"]
        assert row["kind"] == "review" and row["item"] == item_of(program).pk
        assert "Split squat is marked for review: pain 7/10 logged on" in row["text"]
        assert "above 5/10" in row["text"] and "“when ready” rises wait" in row["text"]
        assert row["admin_url"] == reverse("admin:programs_program_change", args=[program.pk])

    def test_symptoms_spreading_is_said(self, as_therapist, program):
        log(program, pain=2, symptoms_spread=True)
        [row] = as_therapist.get(LIST).json()["results"]
        assert row["kind"] == "review" and "symptoms spread further down the leg" in row["text"]

    def test_not_once_the_mark_is_cleared_or_the_program_completed(self, as_therapist, program):
        log(program, pain=8)
        Program.objects.filter(pk=program.pk).update(status=Program.Status.COMPLETED)
        assert kinds(as_therapist, kind="review") == []
        Program.objects.filter(pk=program.pk).update(status=Program.Status.ACTIVE)
        assert kinds(as_therapist, kind="review") == ["review"]
        Item.objects.update(needs_review=False)
        assert kinds(as_therapist) == []


class TestPainAboveAWhenReadyThreshold:
    @pytest.fixture
    def gated(self, program):
        return ProgressionRuleFactory(item=item_of(program), trigger="gated", pain_threshold=3)

    def test_pain_above_the_threshold_this_week_holds_the_rise(self, as_therapist, program, gated):
        log(program, pain=4, when=ago(days=2))
        [row] = as_therapist.get(LIST).json()["results"]
        assert row["kind"] == "pain" and row["severity"] == "review"
        assert row["item"] == item_of(program).pk
        assert "pain 4/10 logged on" in row["text"] and "above the 3/10" in row["text"]

    @pytest.mark.parametrize(("pain", "days"), [(3, 2), (4, 8)])
    def test_not_at_the_threshold_or_longer_ago(self, as_therapist, therapist, gated, pain, days):
        program = gated.item.block.program
        Program.objects.filter(pk=program.pk).update(start_date=days_ago(10))
        log(program, pain=pain, when=ago(days=days))
        assert kinds(as_therapist) == []

    def test_not_for_a_rule_on_schedule(self, as_therapist, program):
        ProgressionRuleFactory(item=item_of(program), trigger="scheduled", pain_threshold=3)
        log(program, pain=4)
        assert kinds(as_therapist) == []

    def test_pain_above_five_is_reported_once_as_review_and_not_after_review(
        self, as_therapist, program, gated
    ):
        log(program, pain=6)
        assert kinds(as_therapist) == ["review"]
        Item.objects.update(needs_review=False)  # reviewed
        assert kinds(as_therapist) == []


class TestNoSession:
    @pytest.mark.parametrize(("days", "listed"), [(6, False), (8, True)])
    def test_a_week_without_a_session(self, as_therapist, therapist, days, listed):
        program = running(therapist, started_days_ago=20)
        program.sessions.all().delete()
        SessionFactory(program=program, performed_at=ago(days=days))
        rows = as_therapist.get(LIST).json()["results"]
        assert [row["kind"] for row in rows] == (["no_session"] if listed else [])
        if listed:
            assert rows[0]["text"].startswith("No session logged since")
            assert f"({days} days)" in rows[0]["text"]

    @pytest.mark.parametrize(("started", "listed"), [(-2, False), (3, False), (8, True)])
    def test_counted_from_the_start_before_the_first(
        self, as_therapist, therapist, started, listed
    ):
        program = running(therapist, started_days_ago=started)
        program.sessions.all().delete()
        rows = as_therapist.get(LIST).json()["results"]
        assert [row["kind"] for row in rows] == (["no_session"] if listed else [])
        if listed:
            assert "since the program started on" in rows[0]["text"]

    def test_not_for_a_paused_program(self, as_therapist, therapist):
        program = running(therapist, started_days_ago=20, status=Program.Status.PAUSED)
        program.sessions.update(performed_at=ago(days=10))
        assert kinds(as_therapist) == []


class TestScreeningOutOfDate:
    @pytest.mark.parametrize(("days", "listed"), [(29, False), (31, True)])
    def test_the_newest_screening_older_than_30_days(self, as_therapist, therapist, days, listed):
        program = running(therapist, screened_days_ago=days)
        ScreeningFactory(client=program.client, performed_at=ago(days=90))
        rows = as_therapist.get(LIST).json()["results"]
        assert [row["kind"] for row in rows] == (["screening_due"] if listed else [])
        if listed:
            assert f"{days} days ago: screen again" in rows[0]["text"]
            client_page = reverse("admin:clients_client_change", args=[program.client_id])
            assert rows[0]["admin_url"] == client_page

    def test_never_screened(self, as_therapist, therapist):
        running(therapist, screened_days_ago=None)
        [row] = as_therapist.get(LIST).json()["results"]
        assert row["kind"] == "screening_due" and row["text"].startswith("Never screened")


class TestEnding:
    @pytest.mark.parametrize(("ends_in", "listed"), [(1, True), (7, True), (8, False)])
    def test_when_start_plus_the_weeks_falls_within_the_next_7_days(
        self, as_therapist, therapist, ends_in, listed
    ):
        running(therapist, started_days_ago=4 * 7 - ends_in, weeks=4)
        rows = as_therapist.get(LIST).json()["results"]
        assert [row["kind"] for row in rows] == (["ending"] if listed else [])
        if listed:
            last_day = timezone.localdate() + timedelta(days=ends_in - 1)
            assert f"Week 4 of 4 ends on {last_day:%a} {last_day.day} " in rows[0]["text"]

    @pytest.mark.parametrize("ended_days_ago", [0, 2])
    def test_an_ended_program_still_active_stays_listed(
        self, as_therapist, therapist, ended_days_ago
    ):
        running(therapist, started_days_ago=4 * 7 + ended_days_ago, weeks=4)
        [row] = as_therapist.get(LIST).json()["results"]
        assert row["kind"] == "ending" and "and it is still active" in row["text"]


def test_the_order_is_emergency_red_flag_review_and_pain_then_the_rest(as_therapist, therapist):
    quiet = running(therapist, started_days_ago=20)
    quiet.sessions.update(performed_at=ago(days=9))
    marked = running(therapist)
    log(marked, pain=9)
    painful = running(therapist)
    ProgressionRuleFactory(item=item_of(painful), trigger="gated", pain_threshold=2)
    log(painful, pain=3)
    raise_flag(quiet.client, emergency=False, hours_ago=1)
    raise_flag(painful.client, emergency=True, hours_ago=48)
    rows = as_therapist.get(LIST).json()["results"]
    assert [(row["severity"], row["kind"]) for row in rows] == [
        ("emergency", "red_flag"),
        ("red_flag", "red_flag"),
        ("review", "pain"),  # newest first within a severity
        ("review", "review"),
        ("routine", "no_session"),
    ]


class TestScope:
    @pytest.fixture
    def everything(self, therapist):
        program = running(therapist, started_days_ago=20, screened_days_ago=40)
        program.sessions.update(performed_at=ago(days=9))
        log(program, pain=8, when=ago(days=8))
        raise_flag(program.client, emergency=True)
        return program

    def test_another_therapist_sees_none_of_it(self, everything, as_other_therapist):
        assert kinds(as_other_therapist) == []
        assert attention_list(user=TherapistFactory()) == []

    def test_a_superuser_sees_every_clients(self, everything, as_superuser):
        assert kinds(as_superuser) == ["red_flag", "review", "no_session", "screening_due"]

    def test_anonymous_and_client_callers_are_refused(self, everything, api, as_client):
        assert api.get(LIST).status_code == 401
        assert as_client.get(LIST).status_code == 403

    def test_filters(self, everything, as_therapist, as_other_therapist):
        assert kinds(as_therapist, kind="review") == ["review"]
        assert kinds(as_therapist, client=everything.client_id) == [
            "red_flag",
            "review",
            "no_session",
            "screening_due",
        ]
        assert kinds(as_therapist, is_emergency="false") == []
        assert kinds(as_therapist, is_emergency="true") == ["red_flag"]
        for bad in ({"kind": "urgent"}, {"kind": ""}, {"cleared": "maybe"}):
            response = as_therapist.get(LIST, bad)
            assert response.status_code == 400 and set(bad) <= set(response.json())
        foreign = as_other_therapist.get(LIST, {"client": everything.client_id})
        assert foreign.status_code == 400 and "client" in foreign.json()


def test_the_api_rows_have_their_kinds_fields(as_therapist, therapist):
    program = running(therapist)
    log(program, pain=7)
    attention = raise_flag(program.client, emergency=False)
    red_flag, review = as_therapist.get(LIST).json()["results"]
    shared = {
        "kind",
        "severity",
        "text",
        "client",
        "client_name",
        "program",
        "program_title",
        "item",
        "since",
        "admin_url",
    }
    record = as_therapist.get(f"{LIST}{attention.pk}/").json()
    assert set(review) == shared
    assert set(red_flag) == shared | set(record)
    assert red_flag == {**red_flag, **record, "kind": "red_flag", "program": None, "item": None}
    assert review == {
        **review,
        "client": program.client_id,
        "client_name": str(program.client),
        "program": program.pk,
        "program_title": program.title,
        "item": item_of(program).pk,
    }


class TestTheAdminHomePage:
    def test_a_therapist_sees_their_list_above_the_apps(self, admin_as_therapist, therapist):
        program = running(therapist)
        log(program, pain=7)
        raise_flag(program.client, emergency=True)
        response = admin_as_therapist.get(reverse("admin:index"))
        html = response.content.decode()
        assert response.status_code == 200
        assert "What needs your attention (2)" in html
        assert html.index("Emergency red flag") < html.index("marked for review")
        assert html.index("What needs your attention") < html.index('id="content-main"')
        assert reverse("safety:review-clear", args=[item_of(program).pk]) in html
        assert AuditEvent.objects.filter(action="read:admin-attention", user=therapist).exists()

    def test_nothing_to_do_is_said(self, admin_as_therapist, program):
        html = admin_as_therapist.get(reverse("admin:index")).content.decode()
        assert "Nothing needs your attention." in html

    def test_a_superuser_gets_the_usual_page(self, client, program):
        client.force_login(SuperuserFactory())
        html = client.get(reverse("admin:index")).content.decode()
        assert "What needs your attention" not in html and 'id="content-main"' in html

    def test_anonymous_and_client_accounts_go_to_the_log_in(self, client, program):
        login = reverse("admin:login")
        assert client.get(reverse("admin:index"))["Location"].startswith(login)
        client.force_login(ClientUserFactory(client_profile=program.client))
        assert client.get(reverse("admin:index"))["Location"].startswith(login)


class TestClearingAReviewMark:
    @pytest.fixture
    def marked(self, program):
        log(program, pain=7)
        return item_of(program)

    def clear(self, browser, item):
        return browser.post(reverse("safety:review-clear", args=[item.pk]), follow=True)

    def test_the_button_clears_it_in_place(self, admin_as_therapist, therapist, marked):
        response = self.clear(admin_as_therapist, marked)
        assert response.redirect_chain == [(reverse("admin:index"), 302)]
        marked.refresh_from_db()
        assert marked.needs_review is False
        [message] = list(response.context["messages"])
        assert message.level_tag == "success" and "Split squat" in message.message
        assert "Nothing needs your attention." in response.content.decode()
        event = AuditEvent.objects.get(action="change:admin-review-clear")
        assert event.user == therapist and event.object_id == str(marked.pk)
        assert event.client_id == marked.block.program.client_id

    def test_another_therapists_item_is_not_found_and_stays_marked(self, client, marked):
        other = TherapistFactory()
        client.force_login(other)
        assert self.clear(client, marked).status_code == 404
        assert self.clear(client, Item(pk=marked.pk + 1000)).status_code == 404
        marked.refresh_from_db()
        assert marked.needs_review is True
        assert (
            AuditEvent.objects.filter(action="denied:admin-review-clear", user=other).count() == 2
        )

    def test_it_takes_a_post_with_the_csrf_token(self, admin_as_therapist, therapist, marked):
        url = reverse("safety:review-clear", args=[marked.pk])
        assert admin_as_therapist.get(url).status_code == 405
        from django.test import Client

        browser = Client(enforce_csrf_checks=True)
        browser.force_login(therapist)
        assert browser.post(url).status_code == 403
        marked.refresh_from_db()
        assert marked.needs_review is True


def many(therapist, count: int) -> None:
    """`count` clients of the therapist's, each with a row of every kind."""
    condition = ConditionFactory(red_flags=1)
    for _ in range(count):
        client = ClientFactory(therapist=therapist)
        program = ProgramFactory(
            owner=therapist,
            client=client,
            status=Program.Status.ACTIVE,
            start_date=days_ago(8 * 7 - 3),
            weeks=8,
            condition=condition,
        )
        marked, painful = ItemFactory.create_batch(2, block__program=program)
        Item.objects.filter(pk=marked.pk).update(needs_review=True)
        ProgressionRuleFactory(item=painful, trigger="gated", pain_threshold=3)
        session = SessionFactory(program=program, performed_at=ago(days=2))
        ExerciseLogFactory(session=session, item=marked, pain=8)
        ExerciseLogFactory(session=session, item=painful, pain=4)
        ScreeningFactory(client=client, condition=condition, performed_at=ago(days=40))
        raise_flag(client, emergency=False)


@pytest.mark.parametrize("count", [1, 6])
class TestTheQueryCountDoesNotGrow:
    def test_the_list(self, therapist, django_assert_num_queries, count):
        many(therapist, count)
        with django_assert_num_queries(5):
            rows = attention_list(user=therapist)
        assert len(rows) == 5 * count
        assert {row.kind for row in rows} == {
            "red_flag",
            "review",
            "pain",
            "screening_due",
            "ending",
        }

    def test_the_api(self, as_therapist, therapist, django_assert_num_queries, count):
        many(therapist, count)
        with django_assert_num_queries(7):
            response = as_therapist.get(LIST)
        assert response.json()["count"] == 5 * count

    def test_the_home_page(self, admin_as_therapist, therapist, django_assert_num_queries, count):
        many(therapist, count)
        with django_assert_num_queries(12):
            response = admin_as_therapist.get(reverse("admin:index"))
        assert f"What needs your attention ({5 * count})" in response.content.decode()
