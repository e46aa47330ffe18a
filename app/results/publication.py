"""Publishing a round's results, and refusing to publish again when the two versions, compared,
would single out fewer than k people (see ``scoring.differencing``)."""

from sqlmodel import Session, col, select

from app.core.exceptions import ChangeRefusedError
from app.models import AssessmentRound, Publication
from app.results.service import respondents_of_round
from scoring.differencing import Contribution, contributions, exposed_groups


def _people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def record_publication(*, session: Session, assessment_round: AssessmentRound) -> Publication:
    """Checks the results about to be published against every earlier publication of the
    round, then records them. Raises ChangeRefusedError, naming the groups, when refused."""
    now = contributions(respondents_of_round(session=session, assessment_round=assessment_round))
    earlier = session.exec(
        select(Publication)
        .where(Publication.round_id == assessment_round.id)
        .order_by(col(Publication.id))
    ).all()
    k = assessment_round.anonymity_threshold
    for publication in earlier:
        before = {
            respondent: Contribution(**parts)
            for respondent, parts in publication.contributions.items()
        }
        exposed = exposed_groups(before, now, k)
        if exposed:
            groups = "; ".join(f"{group}: {_people(n)}" for group, n in exposed.items())
            raise ChangeRefusedError(
                "These results cannot be published again yet. Compared with the version "
                f"published on {publication.published_at:%-d %B %Y at %H:%M}, the answers of "
                f"fewer than {k} people have been added or changed ({groups}), so anyone who "
                "saw both could work out what those people said. Publish again once at least "
                f"{k} people's answers have changed in each of those groups, or once the "
                "answers are back as they were."
            )
    publication = Publication(
        round_id=assessment_round.id or 0,
        contributions={respondent: part.as_json() for respondent, part in now.items()},
    )
    session.add(publication)
    return publication
