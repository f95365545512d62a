"""What the pages call the API's values (phases, statuses, roles), as message ids:
templates translate them with ``_(labels.phase[value])``. One list, so every page
names a phase the same way."""

from __future__ import annotations

from schemas.common import ChallengePhase, PilotStatus, Role
from schemas.residents import InputStage, InputStatus
from service.web.i18n import N_

PHASE_NAMES = {
    ChallengePhase.DRAFT: N_("Draft"),
    ChallengePhase.OPEN: N_("Open for proposals"),
    ChallengePhase.REVIEW: N_("Review"),
    ChallengePhase.SELECTION: N_("Selection"),
    ChallengePhase.PILOTING: N_("Pilots running"),
    ChallengePhase.CLOSED: N_("Closed"),
    ChallengePhase.CANCELLED: N_("Cancelled"),
}

PILOT_STATUS_NAMES = {
    PilotStatus.AGREEMENT: N_("Agreement being made"),
    PilotStatus.RUNNING: N_("Running"),
    PilotStatus.EVALUATION: N_("Being evaluated"),
    PilotStatus.SCALE_UP: N_("Scaled up"),
    PilotStatus.STOPPED: N_("Stopped"),
}

INPUT_STATUS_NAMES = {
    InputStatus.RECEIVED: N_("Received"),
    InputStatus.UNDER_CONSIDERATION: N_("Under consideration"),
    InputStatus.ANSWERED: N_("Answered"),
    InputStatus.HIDDEN: N_("Hidden"),
}

INPUT_STAGE_NAMES = {
    InputStage.PROBLEM: N_("On the problem"),
    InputStage.PILOT: N_("On a pilot"),
    InputStage.OUTCOME: N_("On the outcome"),
}

ROLE_NAMES = {
    Role.CITY: N_("City staff"),
    Role.STARTUP: N_("Startup"),
    Role.EVALUATOR: N_("Evaluator"),
    Role.RESIDENT: N_("Resident"),
}

LABELS = {
    "phase": {k.value: v for k, v in PHASE_NAMES.items()},
    "pilot_status": {k.value: v for k, v in PILOT_STATUS_NAMES.items()},
    "input_status": {k.value: v for k, v in INPUT_STATUS_NAMES.items()},
    "input_stage": {k.value: v for k, v in INPUT_STAGE_NAMES.items()},
    "role": {k.value: v for k, v in ROLE_NAMES.items()},
}
"""For templates (the global ``labels``): ``labels.phase[challenge.phase]``."""
