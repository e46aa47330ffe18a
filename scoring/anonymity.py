"""Which groups to hide so that no group under the anonymity threshold can be seen or inferred."""

from collections.abc import Mapping

from scoring.rules import Anonymity

COMPLEMENT_REASON = "hidden so that a smaller group's score cannot be worked out from the others"


def suppressed_groups(
    sizes: Mapping[str, int],
    anonymity: Anonymity,
    partitions: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Map each group to hide to the reason it is hidden.

    Groups smaller than the threshold are hidden. With complementary suppression, when exactly
    one group is hidden among several (within a partition, such as the organisations of one
    sector, and then overall), the next smallest is hidden too: otherwise the hidden group's
    score could be worked out from the total and the groups that are shown.
    """
    k = anonymity.threshold
    hidden = {name: f"fewer than {k} respondents" for name, size in sizes.items() if size < k}
    if not anonymity.complementary_suppression:
        return hidden
    scopes: list[list[str]] = []
    if partitions is not None:
        for partition in sorted(set(partitions.values())):
            scopes.append(sorted(name for name in sizes if partitions[name] == partition))
    scopes.append(sorted(sizes))
    for scope in scopes:
        hidden_here = [name for name in scope if name in hidden]
        shown_here = [name for name in scope if name not in hidden]
        if len(hidden_here) == 1 and shown_here:
            smallest = min(shown_here, key=lambda name: (sizes[name], name))
            hidden[smallest] = COMPLEMENT_REASON
    return hidden
