"""The facilitator's workspace: every router behind a sign-in, in one list for the app."""

from app.web.admin import router as admin_router
from app.web.data import router as data_router
from app.web.places import router as places_router
from app.web.results import router as results_router
from app.web.rounds import router as rounds_router
from app.web.sign_in import router as sign_in_router
from app.web.workshop import router as workshop_router

FACILITATOR_ROUTERS = [
    sign_in_router,
    places_router,
    rounds_router,
    results_router,
    workshop_router,
    data_router,
    admin_router,
]
