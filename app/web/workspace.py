"""The facilitator's workspace: every router behind a sign-in, in one list for the app."""

from app.accounts.admin_views import router as admin_router
from app.accounts.views import router as sign_in_router
from app.data.views import router as data_router
from app.places.views import router as places_router
from app.results.views import router as results_router
from app.rounds.views import router as rounds_router
from app.workshop.views import router as workshop_router

FACILITATOR_ROUTERS = [
    sign_in_router,
    places_router,
    rounds_router,
    results_router,
    workshop_router,
    data_router,
    admin_router,
]
