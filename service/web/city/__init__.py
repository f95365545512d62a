"""The city console (``/city``): the pages innovation office staff run challenges
with. Only the ``city`` role enters (others get 403; a visitor who is not signed in is
sent to sign in). Each page calls the domain service the JSON API's controller calls
for the same thing, so the console shows and accepts exactly what the API would.

- ``dashboard``: every challenge and what waits for the city; a challenge's page.
- ``drafts``: create and edit a draft, publish it, cancel a challenge.
- ``review``: screening, assigning evaluators.
- ``selection``: the ranking, what-if weights, approving the shortlist.
- ``pilots``: a pilot's agreement and the decision.
- ``residents``: answering, considering, hiding and restoring residents' input.
- ``audit``: a challenge's audit trail.
- ``accounts``: every account; inviting city staff and evaluators; switching off.
"""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from service.audit.controllers import provide_audit_service
from service.audit.queries import AuditService
from service.auth.guards import requires_city
from service.auth.invitations import InvitationService
from service.challenges.controllers import provide_challenge_service
from service.challenges.services import ChallengeService
from service.pilots.controllers import provide_pilot_service
from service.pilots.services import PilotService
from service.residents.controllers import provide_input_service, provide_moderation_service
from service.residents.moderation import ModerationService
from service.residents.services import InputService
from service.review.assignments import AssignmentService
from service.review.controllers import provide_assignments, provide_screening, provide_selection
from service.review.screening import ScreeningService
from service.review.selection import SelectionService
from service.web.city.accounts import account_handlers
from service.web.city.audit import audit_handlers
from service.web.city.dashboard import dashboard_handlers
from service.web.city.drafts import draft_handlers
from service.web.city.pilots import pilot_handlers
from service.web.city.questions import question_handlers
from service.web.city.residents import resident_handlers
from service.web.city.review import review_handlers
from service.web.city.selection import selection_handlers
from service.workflow_gateway import WorkflowGateway

# Keys and providers of their own: the pages' router provides "challenges" and others,
# and Litestar takes one provider per key and one key per provider.


def _challenges(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> ChallengeService:
    return provide_challenge_service(db_session, workflow_gateway)


def _screening(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> ScreeningService:
    return provide_screening(db_session, workflow_gateway)


def _assignments(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> AssignmentService:
    return provide_assignments(db_session, workflow_gateway)


def _selection(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> SelectionService:
    return provide_selection(db_session, workflow_gateway)


def _pilots(
    db_session: NamedDependency[AsyncSession], workflow_gateway: NamedDependency[WorkflowGateway]
) -> PilotService:
    return provide_pilot_service(db_session, workflow_gateway)


def _inputs(db_session: NamedDependency[AsyncSession], state: State) -> InputService:
    return provide_input_service(db_session, state)


def _moderation(db_session: NamedDependency[AsyncSession]) -> ModerationService:
    return provide_moderation_service(db_session)


def _invitations(db_session: NamedDependency[AsyncSession], state: State) -> InvitationService:
    return InvitationService(db_session, state.settings)


def _audit(db_session: NamedDependency[AsyncSession]) -> AuditService:
    return provide_audit_service(db_session)


city_dependencies = {
    "city_challenges": Provide(_challenges, sync_to_thread=False),
    "city_screening": Provide(_screening, sync_to_thread=False),
    "city_assignments": Provide(_assignments, sync_to_thread=False),
    "city_selection": Provide(_selection, sync_to_thread=False),
    "city_pilots": Provide(_pilots, sync_to_thread=False),
    "city_inputs": Provide(_inputs, sync_to_thread=False),
    "city_moderation": Provide(_moderation, sync_to_thread=False),
    "city_audit": Provide(_audit, sync_to_thread=False),
    "city_invitations": Provide(_invitations, sync_to_thread=False),
}


def city_router() -> Router:
    """Every console page under ``/city``, behind the city's guard."""
    return Router(
        path="/city",
        guards=[requires_city],
        dependencies=city_dependencies,
        route_handlers=[
            *dashboard_handlers,
            *draft_handlers,
            *review_handlers,
            *selection_handlers,
            *pilot_handlers,
            *resident_handlers,
            *question_handlers,
            *audit_handlers,
            *account_handlers,
        ],
        include_in_schema=False,
    )
