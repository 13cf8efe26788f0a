"""Text similarity of suggestions on rjieba tokens.

Each suggestion stores its token set twice: as space-separated text on the row (for scoring)
and as SuggestionToken rows indexed by (congress, token) (for the prefilter). A search counts
how often each of the draft's tokens occurs in the congress (one grouped, index-only query),
takes the suggestions sharing any of the rarest ones (at least three, more while the expected
candidates stay under a budget of 2,000 rows; one indexed query, capped), and
scores those candidates by Jaccard overlap of the token sets in Python. A near-duplicate shares
the rare tokens, so it is always among the candidates; common words ("道路", "问题") would pull
in thousands of rows and are left to the scoring. ``icontains`` on the token text was rejected:
a leading-wildcard LIKE cannot use a B-tree index and scans the congress's 100,000 rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import rjieba

TOKEN_MAX = 32
# Words every suggestion uses: they say nothing about what this one is about.
_STOP_TEXT = """
关于 建议 议案 问题 进一步 加强 我们 你们 他们 一个 一些 以及 进行 工作 有关 相关 提高 推进
推动 加快 积极 切实 做好 实施 方面 情况 目前 当前 存在 没有 可以 需要 应该 能够 希望 要求
不断 更加 有效 通过 解决 及时 主要 部分 同时 因此 但是 而且 并且 或者 已经 还是 这个 那个
这些 那些 由于 对于 为了 其中 以上 以下 我市 我县 我区 我镇 全市 全县 全区 群众 反映 完善
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
_NUMBER = re.compile(r"^[\d.,%]+$")

CANDIDATES_MAX = 2000
PREFILTER_TOKENS = 3
THRESHOLD = 0.2
TOP = 5


def tokenize(text: str) -> list[str]:
    """The distinct meaningful tokens of ``text``, in order of first appearance."""
    seen: dict[str, None] = {}
    for raw in rjieba.cut(text or ""):
        token = raw.strip().lower()
        if len(token) < 2 or len(token) > TOKEN_MAX or token in STOP_WORDS:
            continue
        if not _WORD.search(token) or _NUMBER.match(token):
            continue
        seen.setdefault(token, None)
    return list(seen)


def token_text(tokens: Iterable[str]) -> str:
    return " ".join(tokens)


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def rarest(
    counts: dict[str, int],
    tokens: Iterable[str],
    n: int = PREFILTER_TOKENS,
    budget: int = CANDIDATES_MAX,
) -> list[str]:
    """The tokens to prefilter on: the ``n`` occurring in the fewest suggestions (but in
    some), then further ones in order of rarity as long as the candidates they bring stay
    within ``budget`` rows, so a related suggestion lacking the very rarest words is found
    too, while common words never pull in a large share of the congress."""
    present = sorted((t for t in tokens if counts.get(t)), key=lambda t: (counts[t], t))
    chosen: list[str] = []
    total = 0
    for token in present:
        if len(chosen) >= n and total + counts[token] > budget:
            break
        chosen.append(token)
        total += counts[token]
    return chosen
