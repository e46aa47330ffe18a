"""Download names: any name a place or partner can have must save on a common file system."""

from hypothesis import given
from hypothesis import strategies as st

from app.web.pages import MAX_FILENAME_BYTES, shortened


@given(st.text(min_size=0, max_size=400), st.sampled_from([".pdf", ".csv", ""]))
def test_a_shortened_name_fits_and_keeps_its_ending_and_the_start_of_its_stem(
    stem: str, ending: str
) -> None:
    stem = stem.replace(".", "")
    name = shortened(stem + ending)

    assert len(name.encode()) <= MAX_FILENAME_BYTES
    assert name.endswith(ending)
    assert stem.startswith(name[: len(name) - len(ending)])


def test_a_name_that_fits_is_left_as_it_is() -> None:
    assert shortened("kestrel-vale-forum.pdf") == "kestrel-vale-forum.pdf"
