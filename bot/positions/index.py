"""The in-memory index of the position catalogue: posting lists and compact per-position columns.

Built once from the ``positions`` table with the driver's own rows (no tokenising: ``major_codes`` and
``search_tokens`` were computed at import; each distinct value is interned once), then kept up to date by
:meth:`PositionIndex.refresh`, which loads only rows whose id is above the highest the index has, or whose
``updated_at`` is later than the start of the previous read less a safety margin (``REFRESH_MARGIN``: a writer
stamps ``updated_at`` before it commits, so a row can become visible a little after its stamp; transactions are
assumed to commit within the margin of their stamp). Rows seen again unchanged are skipped.

Imports run in another process; the process-wide :data:`holder` starts a refresh at most every ``refresh_every``
seconds, in a background thread: requests keep answering from the index as it is meanwhile (the request that
starts a refresh of a few rows waits for it, so a change made in chat is seen at once). A refresh applies rows a
chunk at a time under the lock and compacts dead slots in place; a catalogue imported again (many changed rows)
is rebuilt from the table instead, the refresher's own structures let go first, so the peak is about one index
plus the one being built. The refresh's ``updated_at`` range wants an index on ``positions.updated_at``.

Layout (one *slot* per position version; an update that changes majors, place or title moves the position
to a new slot and marks the old one dead):

* columns, numpy arrays indexed by slot: id, alive, status, places left, closing day, education, category,
  demonstration, province / city / county codes as integers, the interned unit name (for keyword search);
* posting lists (:class:`Postings`, CSR arrays of slots per key, plus small append-only deltas):
  - majors: per catalogue major code, per 专业类 named as a whole (``GROUP_NAMED + 0809``), per 专业类 touched
    by any named major (``GROUP_ANY + 0809``) and 专业不限 (``OPEN_KEY``);
  - places: per province (2 digits), city (4) and county (6) code;
  - title tokens: per token of ``search_tokens``.

Ranking (:meth:`PositionIndex.rank`) walks the major postings best fit first (exact, 专业类, related,
专业不限), filters the candidates by gathering columns (place, open with places left, education), scores
them with numpy, keeps the leading tier of whole points and picks the top k with ``argpartition``: no Python
loop over candidates. Reads and writes of an index take its lock; a refresh reads the database outside it.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, select

from bot.db import Database
from bot.models import Position, utcnow

log = logging.getLogger(__name__)

NO_CLOSE = 2**31 - 1  # closing day of a position without one
EDU_RANK = {"不限": 0, "中专": 1, "大专": 2, "本科": 3, "硕士": 4, "博士": 5}
CATEGORIES = ("科研类", "技术技能类", "管理类", "社会服务类")
CATEGORY_CODE = {name: i + 1 for i, name in enumerate(CATEGORIES)}
STATUS_CODE = {"open": 1, "full": 2, "closed": 3}  # anything else (pending review, rejected): 0, never shown
# Major posting keys: a catalogue code's digits as an integer (< 10**7), or one of these plus a 专业类 code.
GROUP_NAMED = 10**8
GROUP_ANY = 2 * 10**8
OPEN_KEY = 3 * 10**8
# Points of a ranking (tie-breakers add less than one point in all). The major fit dominates: the tiers lie
# further apart (60) than everything else adds up to (place 25 + education 10 + keyword 8 = 43), so an exact
# major anywhere in the allowed area outranks a 专业类-level fit next door; place, then education, then a title
# keyword order the positions within a tier.
FIT_POINTS = {"exact": 240.0, "group": 180.0, "related": 120.0, "open": 60.0, "any": 0.0}
FITS = ("exact", "group", "related", "open", "any")
PLACE_POINTS = {"named": 25.0, "county": 25.0, "city": 18.0, "province": 10.0}
EDU_POINTS = {"same": 10.0, "open": 8.0, "below": 6.0}
KEYWORD_POINTS = 8.0
_TIERS = [FIT_POINTS[f] for f in FITS[:4]]
assert min(a - b for a, b in zip(_TIERS, _TIERS[1:], strict=False)) > (
    max(PLACE_POINTS.values()) + max(EDU_POINTS.values()) + KEYWORD_POINTS)
CLOSING_SOON_DAYS = 30

_COLUMNS: dict[str, Any] = {
    "ids": np.int64, "alive": np.bool_, "status": np.int8, "places_left": np.int32, "closes": np.int32,
    "edu": np.int8, "cat": np.int8, "demo": np.bool_, "prov": np.int16, "city": np.int32, "county": np.int32,
    "sig": np.int64, "unit": np.int32,
}
_P = Position.__table__.c
_BUILD_SQL = ("SELECT id, major_codes, search_tokens, education, category, province_code, city_code, county_code, "
              "places_left, demonstration, status, closes_on, updated_at, unit_name FROM positions ORDER BY id")
_SELECT = (_P.id, _P.major_codes, _P.search_tokens, _P.education, _P.category, _P.province_code, _P.city_code,
           _P.county_code, _P.places_left, _P.demonstration, _P.status, _P.closes_on, _P.updated_at, _P.unit_name)


def major_keys(codes: str) -> tuple[int, ...]:
    """Posting keys of a ``major_codes`` value ("" → 专业不限)."""
    keys: list[int] = []
    for code in codes.split():
        digits = code.rstrip("TKtk")
        if not digits.isdigit() or len(digits) < 4:
            continue
        group = int(digits[:4])
        if len(digits) == 4:
            keys += [GROUP_NAMED + group, GROUP_ANY + group]
        else:
            keys += [int(digits), GROUP_ANY + group]
    if not keys:
        return (OPEN_KEY,)
    return tuple(dict.fromkeys(keys))


def _int(code: str | None) -> int:
    return int(code) if code and code.isdigit() else 0


def place_ints(province: str | None, city: str | None, county: str | None) -> tuple[int, int, int]:
    """Province, city and county codes as integers (0 when unknown); a county implies its city."""
    p, c, k = _int(province), _int(city), _int(county)
    if k and not c:
        c = k // 100
    if c and not p:
        p = c // 100
    return p, c, k


def _signature(m: np.ndarray, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """What decides a position's postings (interned majors, title tokens, place) as one int64."""
    return (m << 42) | (t << 21) | p


def _expand(keys_of: Sequence[tuple[int, ...]], ids: np.ndarray) -> Postings:
    """Postings from each slot's interned id and the keys each id stands for, without a Python loop per slot."""
    lengths = np.array([len(k) for k in keys_of], np.int64) if keys_of else np.zeros(0, np.int64)
    flat = np.array([key for keys in keys_of for key in keys], np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lengths) else lengths
    per_slot = lengths[ids] if len(ids) else np.zeros(0, np.int64)
    total = int(per_slot.sum())
    slots = np.repeat(np.arange(len(ids), dtype=np.int32), per_slot)
    first = np.repeat(np.cumsum(per_slot) - per_slot, per_slot)
    offsets = np.arange(total, dtype=np.int64) - first + np.repeat(starts[ids] if len(ids) else starts, per_slot)
    return Postings.from_pairs(flat[offsets] if total else np.zeros(0, np.int64), slots)


class Postings:
    """Slots per key: a CSR block (keys → offsets into one int32 array) plus append-only deltas.

    :meth:`merged` and :meth:`compacted` return new objects and leave this one as it is, so the index can
    compute them outside its lock while requests keep reading this one, then swap the reference.
    """

    MERGE_AT = 200_000  # delta entries at which the index folds the deltas into the CSR block

    def __init__(self) -> None:
        self.where: dict[int, int] = {}
        self.offsets = np.zeros(1, np.int64)
        self.slots = np.empty(0, np.int32)
        self.delta: dict[int, array] = {}
        self.delta_size = 0

    @classmethod
    def from_pairs(cls, keys: np.ndarray, slots: np.ndarray) -> Postings:
        out = cls()
        if len(keys):
            order = np.argsort(keys, kind="stable")
            k = keys[order]
            out.slots = np.ascontiguousarray(slots[order], dtype=np.int32)
            uniq, starts = np.unique(k, return_index=True)
            out.offsets = np.append(starts, len(k)).astype(np.int64)
            out.where = {int(key): i for i, key in enumerate(uniq)}
        return out

    def get(self, key: int) -> np.ndarray:
        i = self.where.get(key)
        base = self.slots[self.offsets[i]:self.offsets[i + 1]] if i is not None else self.slots[:0]
        extra = self.delta.get(key)
        if extra:
            return np.concatenate([base, np.frombuffer(extra, dtype=np.int32)])
        return base

    def size(self, key: int) -> int:
        i = self.where.get(key)
        n = int(self.offsets[i + 1] - self.offsets[i]) if i is not None else 0
        extra = self.delta.get(key)
        return n + (len(extra) if extra else 0)

    def keys(self) -> set[int]:
        return set(self.where) | set(self.delta)

    def add(self, key: int, slot: int) -> None:
        self.delta.setdefault(key, array("i")).append(slot)
        self.delta_size += 1

    def merged(self) -> Postings:
        """The same postings with the deltas folded into the CSR block (a new object)."""
        if not self.delta_size:
            return self
        keys = [np.repeat(np.array(list(self.where), dtype=np.int64), np.diff(self.offsets))]
        slots = [self.slots]
        for key, extra in self.delta.items():
            keys.append(np.full(len(extra), key, dtype=np.int64))
            slots.append(np.frombuffer(extra, dtype=np.int32))
        return Postings.from_pairs(np.concatenate(keys), np.concatenate(slots))

    def merge(self) -> None:
        """Fold the deltas in place (only for a Postings no one else is reading)."""
        merged = self.merged()
        self.where, self.offsets, self.slots = merged.where, merged.offsets, merged.slots
        self.delta, self.delta_size = {}, 0

    def compacted(self, alive: np.ndarray, remap: np.ndarray) -> Postings:
        """Without the dead slots, the live ones renumbered by ``remap`` (a new object): one pass over the
        block, which stays sorted by key, so no sort and no second copy of the keys."""
        out = Postings()
        keep = alive[self.slots]
        out.slots = remap[self.slots[keep]]
        kept = np.concatenate([np.zeros(1, np.int64), np.cumsum(keep, dtype=np.int64)])
        out.offsets = kept[self.offsets]
        out.where = dict(self.where)
        for key, extra in self.delta.items():
            ext = np.frombuffer(extra, dtype=np.int32)
            ext = remap[ext[alive[ext]]]
            if len(ext):
                out.delta[key] = array("i", ext.tobytes())
                out.delta_size += len(ext)
        return out

    @property
    def nbytes(self) -> int:
        return self.offsets.nbytes + self.slots.nbytes + sum(len(a) * 4 for a in self.delta.values())


@dataclass(frozen=True)
class Criteria:
    """What to rank for. Codes are strings as in the tables: majors "080901" or "0809", places "440106"."""

    majors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # a hard filter: inside any of these divisions
    home: str | None = None  # a soft preference: same county > same city > same province
    education: str | None = None  # the person's level: positions asking more are left out
    keywords: tuple[str, ...] = ()
    major_fit_only: bool = False  # leave out 专业不限 positions (alternatives "for your major")
    exclude_places: tuple[str, ...] = ()  # leave out positions inside these (alternatives elsewhere)


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    fit: str  # exact / group / related / open / any (no major asked)
    major: str | None  # the asked major code that matched
    place: str | None  # named / county / city / province (how the place matched), None: no place asked
    education: str | None  # same / open / below; None: the person's level is unknown
    keyword: bool
    demonstration: bool
    places_left: int
    closes_on: date | None


@dataclass
class Ranking:
    hits: list[Hit]
    total: int  # positions that pass every filter
    by_fit: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        """Positions that fit the major (exact, 专业类 or related)."""
        return sum(self.by_fit.get(f, 0) for f in ("exact", "group", "related"))


@dataclass(frozen=True)
class SearchFilters:
    keyword: str | None = None
    place: str | None = None  # the most specific division code asked
    major: str | None = None  # positions naming this major or its whole 专业类
    category: str | None = None
    education: str | None = None  # the requirement, exactly
    demonstration: bool | None = None
    status: str = "open"  # open (recommendable) / full / closed / all


def _give_back_memory() -> None:
    """Return freed heap pages to the system (glibc), so the resident size falls after a rebuild or compaction."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # another C library: its own policy
        pass


def _day(value: Any) -> int:
    if value is None:
        return NO_CLOSE
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return value.toordinal()


class PositionIndex:
    """Positions in memory for ranking and search. Build with :meth:`build`; keep fresh with :meth:`refresh`."""

    REFRESH_MARGIN = timedelta(seconds=5)
    SMALL_CHANGE = 2_000  # rows: a refresh this small is waited for by the request that started it
    LARGE_CHANGE = 50_000  # rows (or a quarter of the index, if more): rebuilt from the table, not applied row by row
    APPLY_CHUNK = 2_000  # rows applied per hold of the lock, so requests are never kept waiting long
    COMPACT_DEAD = 1_000  # dead slots (and a third of all) at which the index compacts itself in place

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.refresh_lock = threading.Lock()
        self.n = 0
        self.cols: dict[str, np.ndarray] = {name: np.empty(0, dtype) for name, dtype in _COLUMNS.items()}
        self.slot_of_id = np.full(1, -1, np.int32)
        self.majors = Postings()
        self.places = Postings()
        self.tokens = Postings()
        self.vocab: dict[str, int] = {}
        self.max_id = 0
        self.watermark: datetime | None = None  # the newest updated_at seen
        self.read_from: datetime | None = None  # when the last read of the table began (utcnow, like updated_at)
        self.last_read = 0  # rows the last refresh fetched
        # Rows stamped within the margin of the last read, with the stamp seen: only those can show up again
        # unchanged in the next refresh's updated_at range, and they are not fetched again.
        self._recent: dict[int, datetime] = {}
        self.dead = 0
        self.built_at = 0.0
        self.refreshed_at = 0.0
        self.build_seconds = 0.0
        self._token_cache: dict[str, np.ndarray] = {}
        self._token_cache_version = -1
        self.version = 0  # bumped by every change of slots or postings (caches of slots follow it)
        self._stale = False  # the writer's interning was let go for a rebuild that did not finish: rebuild next
        self.rebuilds = 0
        self.compactions = 0
        self._major_ids: dict[str | None, int] = {}
        self._major_keys: list[tuple[int, ...]] = []
        self._token_ids: dict[str | None, int] = {}
        self._token_keys: list[tuple[int, ...]] = []
        self._place_ids: dict[tuple[Any, Any, Any], int] = {}
        self._places: list[tuple[int, int, int]] = []
        self._attr_ids: dict[tuple[Any, ...], int] = {}
        self._attrs: list[tuple[int, int, int, int, int]] = []
        self._unit_ids: dict[str | None, int] = {}
        self.unit_names: list[str] = []  # interned unit names (column "unit"), for keyword search
        self._unit_cache: dict[str, list[int]] = {}
        self._unit_cache_size = 0
        self._major_word_cache: dict[str, tuple[int, ...]] = {}

    # -- building ---------------------------------------------------------------------------------

    @classmethod
    def build(cls, db: Database, chunk: int = 20_000) -> PositionIndex:
        """Every position of the database, read in chunks with the driver's own rows (no tokenising, no per-row
        objects kept): each row becomes a few small integers (interned major codes, title tokens, place and
        attributes), and the posting lists are expanded from those with numpy at the end."""
        started = time.perf_counter()
        index = cls()
        ids, mids, tids, pids, aids, lefts, uids = (array("q"), array("i"), array("i"), array("i"), array("i"),
                                                    array("i"), array("i"))
        id_add, m_add, t_add, p_add, a_add, l_add, u_add = (ids.append, mids.append, tids.append, pids.append,
                                                            aids.append, lefts.append, uids.append)
        m_get, t_get, p_get, a_get, u_get = (index._major_ids.get, index._token_ids.get, index._place_ids.get,
                                             index._attr_ids.get, index._unit_ids.get)
        newest: Any = None
        read_from = utcnow()
        since_dt = read_from - cls.REFRESH_MARGIN
        since: Any = None  # since_dt, as the driver gives updated_at (text on SQLite)
        recent: list[tuple[int, Any]] = []
        with db.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, max_row_buffer=chunk).exec_driver_sql(_BUILD_SQL)
            for rows in result.partitions(chunk):
                for (pid, codes, tokens, edu, cat, prov, city, county, left, demo, status, closes,
                     updated, unit) in rows:
                    m = m_get(codes)
                    if m is None:
                        m = index._major_id(codes)
                    t = t_get(tokens)
                    if t is None:
                        t = index._token_id(tokens)
                    p = p_get((prov, city, county))
                    if p is None:
                        p = index._place_id(prov, city, county)
                    a = a_get((edu, cat, status, demo, closes))
                    if a is None:
                        a = index._attr_id(edu, cat, status, demo, closes)
                    u = u_get(unit)
                    if u is None:
                        u = index._unit_id(unit)
                    u_add(u)
                    id_add(pid)
                    m_add(m)
                    t_add(t)
                    p_add(p)
                    a_add(a)
                    l_add(left or 0)
                    if updated is not None:
                        if newest is None or updated > newest:
                            newest = updated
                        if since is None:
                            since = since_dt.strftime("%Y-%m-%d %H:%M:%S.%f") if isinstance(updated, str) else since_dt
                        if updated > since:
                            recent.append((pid, updated))
        n = len(ids)
        index.n = n
        idv = np.frombuffer(ids, np.int64).copy()
        mv, tv, pv, av = (np.frombuffer(x, np.int32) for x in (mids, tids, pids, aids))
        attrs = np.array(index._attrs, np.int32).reshape(-1, 5) if index._attrs else np.zeros((0, 5), np.int32)
        places = np.array(index._places, np.int32).reshape(-1, 3) if index._places else np.zeros((0, 3), np.int32)
        c = index.cols
        c["ids"] = idv
        c["alive"] = np.ones(n, np.bool_)
        c["status"] = attrs[av, 0].astype(np.int8)
        c["edu"] = attrs[av, 1].astype(np.int8)
        c["cat"] = attrs[av, 2].astype(np.int8)
        c["demo"] = attrs[av, 3].astype(np.bool_)
        c["closes"] = attrs[av, 4].astype(np.int32)
        c["places_left"] = np.frombuffer(lefts, np.int32).copy()
        c["unit"] = np.frombuffer(uids, np.int32).copy()
        c["prov"] = places[pv, 0].astype(np.int16)
        c["city"] = places[pv, 1].astype(np.int32)
        c["county"] = places[pv, 2].astype(np.int32)
        c["sig"] = _signature(mv.astype(np.int64), tv.astype(np.int64), pv.astype(np.int64))
        max_id = int(idv.max()) if n else 0
        index.slot_of_id = np.full(max_id + 1, -1, np.int32)
        if n:
            index.slot_of_id[idv] = np.arange(n, dtype=np.int32)
        index.majors = _expand(index._major_keys, mv)
        index.tokens = _expand(index._token_keys, tv)
        index.places = _expand([tuple(k for k in key if k) for key in index._places], pv)
        index.max_id = max_id
        if isinstance(newest, str):
            newest = datetime.fromisoformat(newest)
        index.watermark = newest
        index._recent = {pid: datetime.fromisoformat(u) if isinstance(u, str) else u for pid, u in recent}
        index.read_from = read_from
        index.built_at = index.refreshed_at = time.monotonic()
        index.build_seconds = time.perf_counter() - started
        log.info("position index built: %d positions in %.1f s", n, index.build_seconds)
        return index

    # Interning: each distinct major_codes / search_tokens / place / attribute set gets a small id once.

    def _major_id(self, codes: str | None) -> int:
        i = self._major_ids.get(codes)
        if i is None:
            i = self._major_ids[codes] = len(self._major_keys)
            self._major_keys.append(major_keys(codes or ""))
        return i

    def _token_id(self, tokens: str | None) -> int:
        i = self._token_ids.get(tokens)
        if i is None:
            i = self._token_ids[tokens] = len(self._token_keys)
            vocab = self.vocab
            self._token_keys.append(tuple(vocab.setdefault(t, len(vocab)) for t in dict.fromkeys((tokens or "").split())))
        return i

    def _place_id(self, prov: str | None, city: str | None, county: str | None) -> int:
        key = (prov, city, county)
        i = self._place_ids.get(key)
        if i is None:
            i = self._place_ids[key] = len(self._places)
            self._places.append(place_ints(prov, city, county))
        return i

    def _attr_id(self, edu: str | None, cat: str | None, status: str | None, demo: Any, closes: Any) -> int:
        key = (edu, cat, status, demo, closes)
        i = self._attr_ids.get(key)
        if i is None:
            i = self._attr_ids[key] = len(self._attrs)
            self._attrs.append((STATUS_CODE.get(status or "", 0), EDU_RANK.get(edu or "", 0),
                                CATEGORY_CODE.get(cat or "", 0), int(bool(demo)), _day(closes)))
        return i

    def _unit_id(self, name: str | None) -> int:
        i = self._unit_ids.get(name)
        if i is None:
            i = self._unit_ids[name] = len(self.unit_names)
            self.unit_names.append(name or "")
        return i

    def _grow(self, need: int) -> None:
        capacity = len(self.cols["ids"])
        if need <= capacity:
            return
        new = max(need, capacity * 3 // 2 + 1024)
        for name, arr in self.cols.items():
            grown = np.zeros(new, arr.dtype)
            grown[: self.n] = arr[: self.n]
            self.cols[name] = grown

    def _slot(self, pid: int) -> int:
        return int(self.slot_of_id[pid]) if pid < len(self.slot_of_id) else -1

    def _apply(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert or update rows (under the lock). Returns how many changed the index."""
        c = self.cols
        changed = 0
        self.version += 1
        for (pid, codes, tokens, edu, cat, prov, city, county, left, demo, status, closes, updated, unit) in rows:
            m, t, p = self._major_id(codes), self._token_id(tokens), self._place_id(prov, city, county)
            u = self._unit_id(unit)
            sig = (m << 42) | (t << 21) | p
            slot = self._slot(pid)
            attrs = self._attrs[self._attr_id(edu, cat, status, demo, closes)]
            attrs = (attrs[0], left or 0, attrs[4], attrs[1], attrs[2], bool(attrs[3]))
            moved = slot < 0 or c["sig"][slot] != sig or not c["alive"][slot]
            if not moved and u == c["unit"][slot] and attrs == (
                    int(c["status"][slot]), int(c["places_left"][slot]), int(c["closes"][slot]), int(c["edu"][slot]),
                    int(c["cat"][slot]), bool(c["demo"][slot])):
                continue  # seen again within the refresh margin, unchanged
            if moved:
                if slot >= 0 and c["alive"][slot]:
                    c["alive"][slot] = False
                    self.dead += 1
                slot = self.n
                self._grow(slot + 1)
                self.n += 1
                if pid >= len(self.slot_of_id):
                    grown = np.full(max(pid + 1, len(self.slot_of_id) * 3 // 2 + 1024), -1, np.int32)
                    grown[: len(self.slot_of_id)] = self.slot_of_id
                    self.slot_of_id = grown
                self.slot_of_id[pid] = slot
                place = self._places[p]
                c["ids"][slot], c["sig"][slot], c["alive"][slot] = pid, sig, True
                c["prov"][slot], c["city"][slot], c["county"][slot] = place
                for key in self._major_keys[m]:
                    self.majors.add(key, slot)
                for key in place:
                    if key:
                        self.places.add(key, slot)
                for key in self._token_keys[t]:
                    self.tokens.add(key, slot)
            c["status"][slot], c["places_left"][slot], c["closes"][slot], c["edu"][slot], c["cat"][slot], \
                c["demo"][slot] = attrs
            c["unit"][slot] = u
            self.max_id = max(self.max_id, pid)
            if isinstance(updated, str):
                updated = datetime.fromisoformat(updated)
            if isinstance(updated, datetime) and (self.watermark is None or updated > self.watermark):
                self.watermark = updated
            changed += 1
        return changed

    def refresh(self, db: Database, settled: threading.Event | None = None) -> int:
        """Load rows added or updated since the index last looked; returns how many changed it.

        New rows: ``id`` above the highest known. Updated rows: ``updated_at`` after the previous read's start
        less the margin, read as (id, updated_at) pairs first (an index range scan once ``positions.updated_at`` is
        indexed), then in full only for the pairs not seen before. Rows are applied ``APPLY_CHUNK`` at a time,
        each chunk under the lock, so requests keep being answered meanwhile; deltas are merged and dead slots
        compacted outside the lock (new arrays, swapped in), never by building a second index.

        Many changed rows (more than ``LARGE_CHANGE`` or a quarter of the index: a catalogue imported again), or
        rows removed (the highest id went down): the index is rebuilt from the table instead (:meth:`rebuild`);
        requests keep using this one until the new one replaces it.

        ``settled`` (for :class:`IndexHolder`) is set as soon as the refresh is known to be more than
        ``SMALL_CHANGE`` rows, so the request that started it need not wait.
        """
        read_from = utcnow()
        started = time.perf_counter()
        since = self.read_from - self.REFRESH_MARGIN if self.read_from is not None else None
        table = Position.__table__
        with db.engine.connect() as conn:
            top = conn.scalar(select(func.max(_P.id))) or 0
            removed = top < self.max_id
            fresh = touched = 0
            if not removed:
                fresh = conn.scalar(select(func.count()).select_from(table).where(_P.id > self.max_id)) or 0
                if since is not None:  # less the rows stamped within the margin of the last read, seen then
                    touched = conn.scalar(select(func.count()).select_from(table).where(_P.updated_at > since)) or 0
                    touched = max(0, touched - len(self._recent))
        if removed or self._stale or fresh + touched > max(self.LARGE_CHANGE, self.size // 4):
            if settled is not None:
                settled.set()
            self.rebuild(db)
            return self.n
        if settled is not None and fresh + touched > self.SMALL_CHANGE:
            settled.set()
        counted = time.perf_counter()
        changed = 0
        recent: dict[int, datetime] = {}
        read = 0
        known = self.max_id
        with db.engine.connect() as conn:
            wanted = []
            if since is not None:
                # (No "id <= max_id" here: SQLite would then walk the primary key instead of an updated_at index.)
                small = self.SMALL_CHANGE
                for pid, stamp in conn.execute(select(_P.id, _P.updated_at).where(_P.updated_at > since)):
                    recent[pid] = stamp
                    if pid <= known and self._recent.get(pid) != stamp:
                        wanted.append(pid)
                        if len(wanted) == small and settled is not None:
                            settled.set()  # more than counted (an import is running): no request waits for it
            result = conn.execution_options(stream_results=True, max_row_buffer=self.APPLY_CHUNK).execute(
                select(*_SELECT).where(_P.id > known).order_by(_P.id))
            for rows in result.partitions(self.APPLY_CHUNK):
                read += len(rows)
                if settled is not None and read + len(wanted) > self.SMALL_CHANGE:
                    settled.set()
                changed += self._apply_chunk(rows)
            for i in range(0, len(wanted), self.APPLY_CHUNK):
                rows = list(conn.execute(select(*_SELECT).where(_P.id.in_(wanted[i : i + self.APPLY_CHUNK]))))
                read += len(rows)
                changed += self._apply_chunk(rows)
        self.read_from = read_from
        self.last_read = read
        self._recent = recent
        self.refreshed_at = time.monotonic()
        if settled is not None:
            settled.set()  # every change is in; what follows is housekeeping no request need wait for
        log.debug("position index refresh: %d new + %d touched counted in %.3f s; %d read, %d changed in %.3f s",
                  fresh, touched, counted - started, read, changed, time.perf_counter() - counted)
        if max(p.delta_size for p in (self.majors, self.places, self.tokens)) >= Postings.MERGE_AT:
            merged = [p.merged() for p in (self.majors, self.places, self.tokens)]  # outside the lock
            with self.lock:
                self.majors, self.places, self.tokens = merged
                self.version += 1
        if self.dead >= self.COMPACT_DEAD and self.dead * 3 > self.n:
            self.compact()
        return changed

    def _apply_chunk(self, rows: Sequence[Sequence[Any]]) -> int:
        with self.lock:
            return self._apply(rows)

    def compact(self) -> None:
        """Drop the dead slots in place: new, shorter columns and postings are computed outside the lock (only
        the refresher writes, and it is here), then swapped in; the old ones are let go at once."""
        n = self.n
        alive = self.cols["alive"][:n]
        keep = np.flatnonzero(alive)
        remap = np.full(n, -1, np.int32)
        remap[keep] = np.arange(len(keep), dtype=np.int32)
        cols = {name: arr[:n][keep] for name, arr in self.cols.items()}
        postings = [p.compacted(alive, remap) for p in (self.majors, self.places, self.tokens)]
        slot_of_id = np.full(len(self.slot_of_id), -1, np.int32)
        slot_of_id[cols["ids"]] = np.arange(len(keep), dtype=np.int32)
        with self.lock:
            old = (self.cols, self.slot_of_id, self.majors, self.places, self.tokens, self._token_cache)
            self.cols, self.n, self.dead, self.slot_of_id = cols, len(keep), 0, slot_of_id
            self.majors, self.places, self.tokens = postings
            self.version += 1
            self._token_cache = {}
        del cols, postings, alive, remap, old  # the old columns and postings are freed here, outside the lock
        self.compactions += 1
        _give_back_memory()
        log.info("position index compacted: %d slots to %d", n, self.n)

    def rebuild(self, db: Database) -> None:
        """Build the index again from the table and put it in place of this one's contents.

        Requests keep using this index until the new one is ready. What only the refresher needs (the interning
        of raw values, the signatures, the recent stamps) is let go first, so the peak holds one index for
        reading plus the one being built; if the build fails, the next refresh rebuilds again.
        """
        self._stale = True
        with self.lock:
            old = (self._major_ids, self._token_ids, self._place_ids, self._attr_ids, self._unit_ids, self._recent)
            self._major_ids, self._token_ids, self._place_ids, self._attr_ids, self._unit_ids = {}, {}, {}, {}, {}
            self._recent = {}
        del old  # freed here, outside the lock
        fresh = PositionIndex.build(db)
        self._replace(fresh)
        del fresh
        self.rebuilds += 1
        _give_back_memory()

    def _replace(self, other: PositionIndex) -> None:
        old = []
        with self.lock:
            for name, value in vars(other).items():
                if name not in ("lock", "refresh_lock", "version", "rebuilds", "compactions"):
                    old.append(getattr(self, name, None))
                    setattr(self, name, value)
            self.version += 1
            self._stale = False
        del old  # the replaced structures are freed here, outside the lock

    # -- reading ----------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        """Positions in the index (current versions)."""
        return self.n - self.dead

    @property
    def nbytes(self) -> int:
        return (sum(a.nbytes for a in self.cols.values()) + self.slot_of_id.nbytes + self.majors.nbytes
                + self.places.nbytes + self.tokens.nbytes)

    def _place_mask(self, cand: np.ndarray, codes: Sequence[str]) -> np.ndarray:
        c = self.cols
        mask = np.zeros(len(cand), np.bool_)
        for code in codes:
            value = int(code)
            column = {2: "prov", 4: "city", 6: "county"}.get(len(code))
            if column is None:
                continue
            mask |= c[column][cand] == value
        return mask

    def _place_candidates(self, codes: Sequence[str]) -> np.ndarray:
        parts = [self.places.get(int(code)) for code in codes]
        if not parts:
            return np.empty(0, np.int32)
        cand = parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))
        return cand

    def token_slots(self, word: str) -> np.ndarray:
        """Slots whose title has a token equal to, or containing, ``word``."""
        if self._token_cache_version != self.version:
            self._token_cache, self._token_cache_version = {}, self.version
        cached = self._token_cache.get(word)
        if cached is not None:
            return cached
        ids = [i for token, i in self.vocab.items() if word in token] if len(word) >= 2 else (
            [self.vocab[word]] if word in self.vocab else [])
        parts = [self.tokens.get(i) for i in ids]
        out = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int32)
        if len(self._token_cache) > 512:
            self._token_cache.clear()
        self._token_cache[word] = out
        return out

    def keyword_slots(self, word: str) -> np.ndarray:
        """Slots (dead ones too) whose title token, named major or 专业类, or unit name contains ``word``."""
        parts = [self.token_slots(word)]
        parts += [self.majors.get(key) for key in self._major_word_keys(word)]
        if len(self.unit_names) != self._unit_cache_size:  # unit ids, not slots: only new names matter
            self._unit_cache, self._unit_cache_size = {}, len(self.unit_names)
        units = self._unit_cache.get(word)
        if units is None:
            names = self.unit_names
            units = [i for i, name in enumerate(names) if word in name] if len(word) >= 2 else (
                [i for i, name in enumerate(names) if name == word])
            if len(self._unit_cache) > 512:
                self._unit_cache.clear()
            self._unit_cache[word] = units
        if units:
            named = np.zeros(len(self.unit_names), np.bool_)
            named[units] = True
            parts.append(np.flatnonzero(named[self.cols["unit"][: self.n]]).astype(np.int32))
        parts = [p for p in parts if len(p)]
        if not parts:
            return np.empty(0, np.int32)
        return parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts))

    def _major_word_keys(self, word: str) -> tuple[int, ...]:
        """Posting keys of the catalogue majors and 专业类 whose name contains ``word`` (会计 → 会计学 ...)."""
        keys = self._major_word_cache.get(word)
        if keys is None:
            from bot.positions.features import code_digits
            from knowledge.majors import majors

            found: list[int] = []
            if len(word) >= 2:
                for m in majors().by_name.values():
                    if word in m.name:
                        found.append(int(code_digits(m.code)))
                    if word in m.group:
                        found.append(GROUP_NAMED + int(m.code[:4]))
            keys = self._major_word_cache[word] = tuple(dict.fromkeys(found))
        return keys

    def _open_mask(self, cand: np.ndarray, today: int) -> np.ndarray:
        c = self.cols
        return (c["alive"][cand] & (c["status"][cand] == 1) & (c["places_left"][cand] > 0)
                & (c["closes"][cand] >= today))

    def rank(self, criteria: Criteria, limit: int = 10, today: date | None = None) -> Ranking:
        """The best ``limit`` open positions with places left for ``criteria``, with how each fits."""
        today_n = (today or date.today()).toordinal()
        with self.lock:
            return self._rank(criteria, max(1, limit), today_n)

    def _rank(self, crit: Criteria, limit: int, today: int) -> Ranking:
        c = self.cols
        n = self.n
        level = EDU_RANK.get(crit.education or "", None) if crit.education else None
        # 1. Candidates with their major fit, best fit first, each position once.
        if crit.majors:
            tiers: list[tuple[int, int, int]] = []  # (key, fit index, asked major index)
            for i, code in enumerate(crit.majors):
                group = int(code[:4])
                if len(code) == 4:
                    tiers += [(GROUP_NAMED + group, 1, i), (GROUP_ANY + group, 1, i)]
                else:
                    tiers += [(int(code), 0, i), (GROUP_NAMED + group, 1, i), (GROUP_ANY + group, 2, i)]
            if not crit.major_fit_only:
                tiers.append((OPEN_KEY, 3, -1))
            tiers.sort(key=lambda t: t[1])
            seen = np.zeros(n, np.bool_)
            parts, fits, which = [], [], []
            for key, fit_code, i in tiers:
                slots = self.majors.get(key)
                if crit.places and len(slots) > 2048:
                    slots = slots[self._place_mask(slots, crit.places)]
                slots = slots[~seen[slots]]
                if not len(slots):
                    continue
                seen[slots] = True
                parts.append(slots)
                fits.append(np.full(len(slots), fit_code, np.int8))
                which.append(np.full(len(slots), i, np.int8))
            if not parts:
                return Ranking([], 0, {})
            cand = np.concatenate(parts)
            fit = np.concatenate(fits)
            major_i = np.concatenate(which)
            ok = self._open_mask(cand, today)
        elif crit.places:
            cand = self._place_candidates(crit.places)
            fit = np.full(len(cand), 4, np.int8)
            major_i = np.full(len(cand), -1, np.int8)
            ok = self._open_mask(cand, today)
        else:
            # Every position: filter on contiguous columns (no gathers), then keep the survivors' slots.
            ok = (c["alive"][:n] & (c["status"][:n] == 1) & (c["places_left"][:n] > 0)
                  & (c["closes"][:n] >= today))
            if level:
                ok &= c["edu"][:n] <= level
            cand = np.flatnonzero(ok).astype(np.int32)
            fit = np.full(len(cand), 4, np.int8)
            major_i = np.full(len(cand), -1, np.int8)
            ok = np.ones(len(cand), np.bool_)
        # 2. Filters: the named place, open with places left, education the person has.
        if crit.places:
            ok &= self._place_mask(cand, crit.places)
        if crit.exclude_places:
            ok &= ~self._place_mask(cand, crit.exclude_places)
        if level:
            ok &= c["edu"][cand] <= level
        if not ok.all():
            cand, fit, major_i = cand[ok], fit[ok], major_i[ok]
        total = len(cand)
        by_fit = {FITS[i]: int(v) for i, v in enumerate(np.bincount(fit, minlength=5)) if v}
        if not total:
            return Ranking([], 0, by_fit)
        # 3. Whole points: major fit, place, education, title keyword.
        base = np.asarray(FIT_POINTS_ARRAY, np.int16)[fit]
        place_kind = np.zeros(total, np.int8)  # 0 none, 1 named, 2 county, 3 city, 4 province
        if crit.places:
            base += int(PLACE_POINTS["named"])
            place_kind[:] = 1
        elif crit.home:
            p, ci, k = place_ints(crit.home[:2], crit.home[:4] if len(crit.home) >= 4 else None,
                                  crit.home if len(crit.home) == 6 else None)
            same_p = c["prov"][cand] == p
            same_c = (c["city"][cand] == ci) if ci else np.zeros(total, np.bool_)
            same_k = (c["county"][cand] == k) if k else np.zeros(total, np.bool_)
            place_kind = np.where(same_k, 2, np.where(same_c, 3, np.where(same_p, 4, 0))).astype(np.int8)
            base += np.asarray([0, 0, PLACE_POINTS["county"], PLACE_POINTS["city"],
                                PLACE_POINTS["province"]], np.int16)[place_kind]
        edu_kind = np.zeros(total, np.int8)  # 0 unknown, 1 same, 2 open, 3 below
        if level:
            edu = c["edu"][cand]
            edu_kind = np.where(edu == level, 1, np.where(edu == 0, 2, 3)).astype(np.int8)
            base += np.asarray([0, EDU_POINTS["same"], EDU_POINTS["open"], EDU_POINTS["below"]], np.int16)[edu_kind]
        keyword = np.zeros(total, np.bool_)
        for word in crit.keywords:
            slots = self.token_slots(word)
            if len(slots):
                mark = np.zeros(n, np.bool_)
                mark[slots] = True
                keyword |= mark[cand]
        if keyword.any():
            base += np.int16(KEYWORD_POINTS) * keyword
        # 4. Among equals (same whole points): demonstration (+0.5) outweighs closing soon (≤ 0.3) and places left
        # (≤ 0.19) together, so only the leading (points, demonstration) tiers need the fine tie-breakers.
        demo = c["demo"][cand]
        coarse = base.astype(np.int32) * 2 + demo
        k = min(limit, total)
        if total > 4 * k:
            counts = np.bincount(coarse)
            above = np.cumsum(counts[::-1])
            threshold = len(counts) - 1 - int(np.searchsorted(above, k))
            keep = np.flatnonzero(coarse >= threshold)
        else:
            keep = np.arange(total)
        sub = cand[keep]
        left = c["places_left"][sub]
        closes = c["closes"][sub]
        days = (closes.astype(np.int64) - today).clip(0, CLOSING_SOON_DAYS)
        score = (base[keep] + 0.5 * demo[keep] + 0.3 * (1.0 - days / CLOSING_SOON_DAYS)
                 + 0.019 * np.minimum(left, 10))
        # 5. Top k (ties: smaller id first).
        top = np.argpartition(-score, k - 1)[:k] if len(keep) > k else np.arange(len(keep))
        top = top[np.lexsort((c["ids"][sub[top]], -score[top]))]
        names = ("named", "county", "city", "province")
        hits = []
        for t in top:
            j = int(keep[t])
            slot = int(sub[t])
            mi = int(major_i[j])
            day = int(closes[t])
            hits.append(Hit(
                id=int(c["ids"][slot]), score=round(float(score[t]), 2), fit=FITS[int(fit[j])],
                major=crit.majors[mi] if mi >= 0 else None,
                place=names[int(place_kind[j]) - 1] if place_kind[j] else None,
                education=(None, "same", "open", "below")[int(edu_kind[j])], keyword=bool(keyword[j]),
                demonstration=bool(demo[j]), places_left=int(left[t]),
                closes_on=None if day == NO_CLOSE else date.fromordinal(day)))
        return Ranking(hits, total, by_fit)

    def search(self, filters: SearchFilters, page: int = 1, size: int = 20,
               today: date | None = None) -> tuple[int, list[int]]:
        """(total, ids of the page) for a catalogue search: demonstration first, closing soonest, then id."""
        today_n = (today or date.today()).toordinal()
        with self.lock:
            return self._search(filters, max(1, page), max(1, size), today_n)

    def _search(self, f: SearchFilters, page: int, size: int, today: int) -> tuple[int, list[int]]:
        c = self.cols
        pools: list[np.ndarray] = []
        if f.keyword:
            from bot.positions.features import title_tokens

            for word in dict.fromkeys(title_tokens(f.keyword).split()):
                pools.append(self.keyword_slots(word))
        if f.major:
            group = int(f.major[:4])
            keys = [GROUP_NAMED + group, GROUP_ANY + group] if len(f.major) == 4 else [int(f.major),
                                                                                         GROUP_NAMED + group]
            parts = [self.majors.get(k) for k in keys]
            pools.append(np.unique(np.concatenate(parts)))
        if f.place:
            pools.append(self.places.get(int(f.place)))
        if pools:
            pools.sort(key=len)
            cand = pools[0]
            for other in pools[1:]:
                if not len(cand):
                    break
                mark = np.zeros(self.n, np.bool_)
                mark[other] = True
                cand = cand[mark[cand]]
        else:
            cand = None  # every position: filter contiguous columns, no gathers
        n = self.n

        def col(name: str) -> np.ndarray:
            return c[name][:n] if cand is None else c[name][cand]

        ok = col("alive").copy()
        if f.status == "open":
            ok &= (col("status") == 1) & (col("places_left") > 0) & (col("closes") >= today)
        elif f.status in STATUS_CODE:
            ok &= col("status") == STATUS_CODE[f.status]
        else:  # all: every published position, not those under review or rejected
            ok &= col("status") > 0
        if f.category:
            ok &= col("cat") == CATEGORY_CODE.get(f.category, -1)
        if f.education:  # the person's level: positions open to it (不限, or asking no more than it)
            ok &= col("edu") <= EDU_RANK.get(f.education, -1)
        if f.demonstration is not None:
            ok &= col("demo") == f.demonstration
        cand = np.flatnonzero(ok).astype(np.int32) if cand is None else cand[ok]
        total = len(cand)
        start = (page - 1) * size
        if start >= total:
            return total, []
        demo = c["demo"][cand]
        if start + size <= int(demo.sum()):  # the page lies among the demonstration positions
            cand = cand[demo]
        closes = np.minimum(c["closes"][cand].astype(np.int64), 2**20 - 1)
        key = ((~c["demo"][cand]).astype(np.int64) << 61) | (closes << 40) | c["ids"][cand]
        end = min(start + size, len(cand))
        part = np.partition(key, end - 1)[:end] if end < len(cand) else key
        part = np.sort(part)[start:end]
        return total, [int(v) for v in (part & ((1 << 40) - 1))]


FIT_POINTS_ARRAY = [FIT_POINTS[f] for f in FITS]


class IndexHolder:
    """One index per database URL in this process, refreshed at most every ``refresh_every`` s.

    A refresh runs in a background thread, one per index at a time, never in the request that starts it:
    requests keep answering from the index as it is until the refresh has applied what changed (or the rebuilt
    index replaces it). The request that starts a small refresh (``PositionIndex.SMALL_CHANGE`` rows at most, say
    a position just approved) waits for it, at most ``wait_s``, so it sees its own change; a larger one it does
    not wait for.
    """

    def __init__(self, refresh_every: float = 3.0, capacity: int = 4, wait_s: float = 1.0) -> None:
        self.refresh_every = refresh_every
        self.capacity = capacity
        self.wait_s = wait_s
        self._indexes: OrderedDict[str, PositionIndex] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._threads: dict[str, threading.Thread] = {}

    def get(self, db: Database, refresh: bool = True) -> PositionIndex:
        url = db.url
        with self._lock:
            index = self._indexes.get(url)
            if index is not None:
                self._indexes.move_to_end(url)
            building = self._building.setdefault(url, threading.Lock())
        if index is None:
            with building:
                with self._lock:
                    index = self._indexes.get(url)
                if index is None:
                    from bot.positions.query import default_parser

                    default_parser()  # load jieba's dictionaries now, not in the first request
                    index = PositionIndex.build(db)
                    with self._lock:
                        self._indexes[url] = index
                        while len(self._indexes) > self.capacity:
                            self._indexes.popitem(last=False)
            return index
        if refresh and time.monotonic() - index.refreshed_at >= self.refresh_every:
            if index.refresh_lock.acquire(blocking=False):
                settled = threading.Event()
                thread = threading.Thread(target=self._refresh, args=(db, index, settled), daemon=True,
                                          name="position-index-refresh")
                with self._lock:
                    self._threads[url] = thread
                try:
                    thread.start()
                except BaseException:
                    index.refresh_lock.release()
                    raise
                settled.wait(self.wait_s)
        return index

    @staticmethod
    def _refresh(db: Database, index: PositionIndex, settled: threading.Event) -> None:
        try:
            index.refresh(db, settled)
        except Exception:  # a failed refresh must not fail the queries: the index stays as it was
            log.exception("position index refresh failed")
        finally:
            index.refreshed_at = time.monotonic()  # a failure is retried after the interval, not at once
            index.refresh_lock.release()
            settled.set()

    def refreshing(self, db: Database) -> bool:
        """Whether a refresh of ``db``'s index is running."""
        with self._lock:
            thread = self._threads.get(db.url)
        return thread is not None and thread.is_alive()

    def wait(self, db: Database, timeout: float | None = None) -> bool:
        """Wait for the running refresh of ``db``'s index, if any; False when it is still running."""
        with self._lock:
            thread = self._threads.get(db.url)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def clear(self, url: str | None = None) -> None:
        """Forget the index of ``url`` (every index when None): the next :meth:`get` rebuilds it. A refresh still
        running is waited for (briefly), so it does not outlive the database it reads."""
        from bot.db import normalise_url

        key = normalise_url(url) if url is not None else None
        with self._lock:
            threads = [t for u, t in self._threads.items() if key is None or u == key]
            if key is None:
                self._indexes.clear()
                self._threads.clear()
            else:
                self._indexes.pop(key, None)
                self._threads.pop(key, None)
        for thread in threads:
            thread.join(30)


holder = IndexHolder()


def get_index(db: Database) -> PositionIndex:
    """The process-wide index of ``db``, built on first use and refreshed every few seconds (in the background)."""
    return holder.get(db)
