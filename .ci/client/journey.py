"""The client-app journey through the generated Python client, against a live server.

Run by .ci/contract: `python journey.py BASE_URL SCHEMA_JSON`, with the generated package
`ptbuilder_client` importable. Every answer is checked against the schema as it arrives (an
httpx response hook with tests/api/openapi_check.py); any contradiction, or any step that does
not get what the contract promises, fails the run.
"""

import json
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "api"))
from openapi_check import Contract  # noqa: E402
from ptbuilder_client import AuthenticatedClient, Client  # noqa: E402
from ptbuilder_client.api.auth import (  # noqa: E402
    auth_logout_create,
    auth_redeem_create,
    auth_token_create,
)
from ptbuilder_client.api.clients import (  # noqa: E402
    clients_adherence_retrieve,
    clients_create,
    clients_invitation,
    clients_screenings_create,
)
from ptbuilder_client.api.conditions import conditions_list  # noqa: E402
from ptbuilder_client.api.me import (  # noqa: E402
    me_programs_list,
    me_programs_pdf,
    me_retrieve,
    me_sessions_create,
)
from ptbuilder_client.api.programs import (  # noqa: E402
    programs_activate,
    programs_copy,
    programs_list,
    programs_partial_update,
    programs_schedule,
    programs_version,
    programs_versions,
)
from ptbuilder_client.models import (  # noqa: E402
    AuthTokenRequest,
    ClientRecordRequest,
    ExerciseLogRequest,
    LoggedSideEnum,
    PatchedProgramRequest,
    ProgramCopyRequest,
    RedeemRequest,
    ScreeningAnswerRequest,
    ScreeningRequest,
    SessionRequest,
    UnitsEnum,
)
from ptbuilder_client.types import Response  # noqa: E402

BASE, SCHEMA = sys.argv[1:3]
contract = Contract(json.loads(Path(SCHEMA).read_text()))
problems: list[str] = []
answers = 0


def check(response: httpx.Response) -> None:
    global answers
    response.read()
    answers += 1
    media = response.headers.get("Content-Type", "").split(";")[0]
    request = response.request
    problems.extend(
        contract.problems(
            request.method, request.url.path, response.status_code, media, response.content
        )
    )


HOOKS = {"event_hooks": {"response": [check]}}


def signed_in(token: str) -> AuthenticatedClient:
    return AuthenticatedClient(base_url=BASE, token=token, prefix="Token", httpx_args=HOOKS)


def ok(response: Response, status: int = 200):
    assert response.status_code == status, (status, response.status_code, response.content)
    return response.parsed


anonymous = Client(base_url=BASE, httpx_args=HOOKS)
login = ok(
    auth_token_create.sync_detailed(
        client=anonymous,
        body=AuthTokenRequest(username="demo-therapist", password="demo-therapist-pass"),
    )
)
therapist = signed_in(login.token)

client = ok(
    clients_create.sync_detailed(
        client=therapist,
        body=ClientRecordRequest(first_name="Ada", last_name="Journey", units=UnitsEnum.METRIC),
    ),
    201,
)
[sciatica] = [
    condition
    for condition in ok(conditions_list.sync_detailed(client=therapist)).results
    if condition.slug == "sciatica"
]
answers_given = [ScreeningAnswerRequest(red_flag=f.id, present=False) for f in sciatica.red_flags]
screening = ScreeningRequest(condition="sciatica", answers=answers_given)
screened = clients_screenings_create.sync_detailed(client.id, client=therapist, body=screening)
outcome = ok(screened, 201)
assert outcome.attention is None  # clear: nothing to act on

templates = ok(programs_list.sync_detailed(client=therapist, is_template=True)).results
[template] = [program for program in templates if program.is_shared]


def copy_for_client() -> tuple[int, str]:
    copied = programs_copy.sync_detailed(
        template.id, client=therapist, body=ProgramCopyRequest(client=client.id)
    )
    program = ok(copied, 201)
    assert program.status.value == "draft" and program.client == client.id
    return program.id, copied.headers["ETag"]


program_id, etag = copy_for_client()
edit = PatchedProgramRequest(notes="Adjusted after the first visit.")
edited = programs_partial_update.sync_detailed(
    program_id, client=therapist, body=edit, if_match=etag
)
assert ok(edited).notes == edit.notes
stale = programs_partial_update.sync_detailed(
    program_id, client=therapist, body=edit, if_match=etag
)
assert stale.status_code == 412
etag = edited.headers["ETag"]

schedule = ok(programs_schedule.sync_detailed(program_id, client=therapist))
assert schedule and all(len(row.weeks) == template.weeks for row in schedule)
beyond = programs_schedule.sync_detailed(program_id, client=therapist, weeks=template.weeks + 1)
assert beyond.status_code == 400
activated = programs_activate.sync_detailed(program_id, client=therapist, if_match=etag)
assert ok(activated).status.value == "active"

# A second program, without a condition: the client app must still read it whole.
plain_id, plain_etag = copy_for_client()
uncondition = PatchedProgramRequest(condition=None)
changed = programs_partial_update.sync_detailed(
    plain_id, client=therapist, body=uncondition, if_match=plain_etag
)
assert ok(changed).condition is None
ok(programs_activate.sync_detailed(plain_id, client=therapist, if_match=changed.headers["ETag"]))

# A change to an active program keeps the version it replaces.
again = programs_partial_update.sync_detailed(
    program_id,
    client=therapist,
    body=PatchedProgramRequest(goal="Walk 30 minutes."),
    if_match=activated.headers["ETag"],
)
ok(again)
versions = ok(programs_versions.sync_detailed(program_id, client=therapist)).results
assert versions, "no version kept"
kept = ok(programs_version.sync_detailed(program_id, versions[0].version, client=therapist))
assert kept.snapshot.id == program_id

invitation = ok(clients_invitation.sync_detailed(client.id, client=therapist), 201)
redeemed = ok(
    auth_redeem_create.sync_detailed(
        client=anonymous,
        body=RedeemRequest(
            code=invitation.code, username="ada-journey", password="plum-orchard-lantern-42"
        ),
    ),
    201,
)
app = signed_in(redeemed.token)

me = ok(me_retrieve.sync_detailed(client=app))
assert me.id == client.id and me.therapist.name
mine = {program.id: program for program in ok(me_programs_list.sync_detailed(client=app)).results}
assert set(mine) == {program_id, plain_id}
assert (mine[plain_id].condition, mine[plain_id].red_flags) == (None, [])
assert len(mine[program_id].red_flags) == len(sciatica.red_flags)

item = mine[program_id].blocks[0].items[0]
side = {"each": "left", "left": "left", "right": "right"}.get(item.side.value, "both")
session = SessionRequest(
    client_uuid=uuid.uuid4(),
    program=program_id,
    performed_at=datetime.now(UTC),
    pain_before=2,
    pain_after=1,
    entries=[ExerciseLogRequest(item=item.id, side=LoggedSideEnum(side), reps=8, pain=1)],
)
first = ok(me_sessions_create.sync_detailed(client=app, body=session), 201)
retried = ok(me_sessions_create.sync_detailed(client=app, body=session), 200)
assert retried.id == first.id  # the same client_uuid: stored once

pdf = me_programs_pdf.sync_detailed(program_id, client=app)
assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
unchanged = me_programs_pdf.sync_detailed(program_id, client=app, if_none_match=pdf.headers["ETag"])
assert unchanged.status_code == 304 and not unchanged.content

adherence = ok(clients_adherence_retrieve.sync_detailed(client.id, client=therapist))
followed = {row.program: row for row in adherence.programs}
assert followed[program_id].weeks[0].sessions_done == 1

assert auth_logout_create.sync_detailed(client=app).status_code == 204
assert me_retrieve.sync_detailed(client=app).status_code == 401

assert not problems, "\n".join(problems)
print(f"journey: {answers} answers through the generated Python client, each as the schema says")
