"""Our own validator of a rendered 835 (OUTPUTS.md §3.7: V-1…V-8, V-11, V-12; and V-13, ours:
CLP01/02/06/07 present, NM108 with NM109 — what pyx12 found missing on real event data).

It re-parses the text — it never looks at the model the file came from — and returns a list of
named problems. `assert_valid` raises `Remit835Error` naming the file/remittance and each rule.
V-9/V-10 are cross-output checks made elsewhere; `summarize` exposes what they need (BPR02,
BPR16, the TRN segment text, ΣCLP04, ΣPLB, ΣAMT*I, the payee id).

Messages name segment positions, claim ids (CLP07) and amounts only: never member ids, names or
bank numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from paymentprocess.outputs import plb as plb_rules
from paymentprocess.outputs.cas import GROUP_ORDER, OWN_CARCS
from paymentprocess.outputs.remit_model import X12Settings
from paymentprocess.outputs.x12_text import X12ValueError, parse_x12_amount

ISA_LENGTH = 106  # the ISA segment including its terminator
CAS_GROUPS = frozenset(GROUP_ORDER)


@dataclass(frozen=True, slots=True)
class Problem:
    """One failed rule: `rule` is "V-1" … "V-12", `position` the 1-based segment number."""

    rule: str
    message: str
    position: int | None = None

    def __str__(self) -> str:
        where = f" (segment {self.position})" if self.position is not None else ""
        return f"{self.rule}: {self.message}{where}"


class Remit835Error(ValueError):
    """A rendered 835 fails our validator; names the file/remittance and every failed rule."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        more = f" (+{len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"835 {name} fails {shown}{more}")


@dataclass(frozen=True, slots=True)
class Remit835Summary:
    """What the cross-output checks (V-9, V-10) need from one 835."""

    isa13: int
    bpr01: str
    bpr02_cents: int
    bpr04: str
    bpr16: date | None
    trn_segment: str  # e.g. "TRN*1*1001*1987654321" (= CCD+ addenda text without terminator)
    trn02: str
    trn03: str
    payee_id: str  # N1*PE N104 (NPI)
    clp04_total: int
    plb_total: int
    interest_total: int  # Σ AMT*I
    claim_count: int
    segment_count: int  # SE01


@dataclass
class _Line:
    position: int
    elements: list[str]
    cas: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class _Claim:
    position: int
    elements: list[str]
    cas: list[tuple[int, list[str]]] = field(default_factory=list)
    amt_i: list[tuple[int, str]] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)


@dataclass
class _Parsed:
    segments: list[tuple[int, list[str]]]
    isa_raw: str
    component: str
    claims: list[_Claim]
    plbs: list[tuple[int, list[str]]]
    misplaced_amt_i: list[int]


def _el(elements: list[str], index: int) -> str:
    return elements[index] if index < len(elements) else ""


def _split(data: bytes | str) -> _Parsed:
    text = data.decode("ascii") if isinstance(data, bytes) else data
    if not text.startswith("ISA") or len(text) < ISA_LENGTH:
        raise X12ValueError("the file does not start with an ISA segment")
    sep = text[3]
    terminator = text[105]
    component = text[104]
    raw = [s.strip("\r\n") for s in text.split(terminator)]
    if raw and raw[-1].strip() == "":
        raw.pop()
    segments = [(i + 1, s.split(sep)) for i, s in enumerate(raw)]
    claims: list[_Claim] = []
    plbs: list[tuple[int, list[str]]] = []
    misplaced: list[int] = []
    for pos, el in segments:
        tag = el[0]
        if tag == "CLP":
            claims.append(_Claim(pos, el))
        elif tag == "SVC" and claims:
            claims[-1].lines.append(_Line(pos, el))
        elif tag == "CAS" and claims:
            target = claims[-1].lines[-1].cas if claims[-1].lines else claims[-1].cas
            target.append((pos, el))
        elif tag == "AMT" and _el(el, 1) == "I" and claims:
            claims[-1].amt_i.append((pos, _el(el, 2)))
            if claims[-1].lines:
                misplaced.append(pos)
        elif tag == "PLB":
            plbs.append((pos, el))
    return _Parsed(segments, text[:ISA_LENGTH], component, claims, plbs, misplaced)


def aba_valid(routing: str) -> bool:
    """ABA 3-7-1 check digit of a 9-digit routing number."""
    if len(routing) != 9 or not routing.isdigit() or routing == "000000000":
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing, weights, strict=True)) % 10 == 0


class _Checker:
    def __init__(self, parsed: _Parsed, settings: X12Settings) -> None:
        self.p = parsed
        self.settings = settings
        self.problems: list[Problem] = []

    def add(self, rule: str, message: str, position: int | None = None) -> None:
        self.problems.append(Problem(rule, message, position))

    def money(self, rule: str, text: str, position: int, what: str) -> int:
        try:
            return parse_x12_amount(text)
        except X12ValueError:
            self.add(rule, f"{what} is not an amount: {text!r}", position)
            return 0

    def first(self, tag: str, qualifier: str | None = None) -> tuple[int, list[str]] | None:
        for pos, el in self.p.segments:
            if el[0] == tag and (qualifier is None or _el(el, 1) == qualifier):
                return pos, el
        return None

    def cas_total(self, cas: list[tuple[int, list[str]]], group: str | None = None) -> int:
        total = 0
        for pos, el in cas:
            if group is not None and _el(el, 1) != group:
                continue
            for k in range(3, len(el), 3):
                if el[k]:
                    total += self.money("V-1", el[k], pos, f"CAS{k:02d}")
        return total

    # -- V-11 envelope -------------------------------------------------------------------------
    def envelope(self) -> None:  # noqa: PLR0912 - one branch per envelope rule
        isa = self.p.isa_raw
        if len(isa) != ISA_LENGTH or isa[105] != "~" or isa.count("*") != 16:
            self.add("V-11", "ISA is not 106 bytes with 16 element separators", 1)
        el = isa[:-1].split("*")
        widths = {1: 2, 2: 10, 3: 2, 4: 10, 5: 2, 6: 15, 7: 2, 8: 15, 9: 6, 10: 4, 11: 1, 12: 5}
        widths |= {13: 9, 14: 1, 15: 1, 16: 1}
        for index, width in widths.items():
            if len(_el(el, index)) != width:
                self.add("V-11", f"ISA{index:02d} must be {width} characters wide", 1)
        if not (_el(el, 9).isdigit() and _el(el, 10).isdigit() and _el(el, 13).isdigit()):
            self.add("V-11", "ISA09/ISA10/ISA13 must be digits (YYMMDD, HHMM, 9 digits)", 1)
        if _el(el, 15) not in ("P", "T"):
            self.add("V-11", "ISA15 must be P or T", 1)
        segs = self.p.segments
        tags = [s[1][0] for s in segs]
        expected = ["ISA", "GS", "ST"]
        if tags[:3] != expected or tags[-3:] != ["SE", "GE", "IEA"]:
            self.add("V-11", "envelope must be ISA, GS, ST … SE, GE, IEA (one transaction)")
            return
        if tags.count("ST") != 1 or tags.count("GS") != 1:
            self.add("V-11", "exactly one GS and one ST per interchange")
        _, gs = segs[1]
        st_pos, st = segs[2]
        se_pos, se = segs[-3]
        _, ge = segs[-2]
        iea_pos, iea = segs[-1]
        if _el(st, 1) != "835":
            self.add("V-11", "ST01 must be 835", st_pos)
        if len(st) > 3:
            self.add("V-11", "ST03 must not be sent (X221A1 marks it Not Used)", st_pos)
        if _el(gs, 1) != "HP" or _el(gs, 8) != "005010X221A1":
            self.add("V-11", "GS01 must be HP and GS08 005010X221A1", 2)
        count = se_pos - st_pos + 1
        if _el(se, 1) != str(count):
            self.add(
                "V-11", f"SE01 is {_el(se, 1)!r}, the transaction has {count} segments", se_pos
            )
        if _el(se, 2) != _el(st, 2):
            self.add("V-11", "SE02 must equal ST02", se_pos)
        if _el(ge, 1) != "1" or _el(ge, 2) != _el(gs, 6):
            self.add("V-11", "GE01 must be 1 and GE02 = GS06", se_pos + 1)
        if _el(iea, 1) != "1" or _el(iea, 2) != _el(el, 13):
            self.add("V-11", "IEA01 must be 1 and IEA02 = ISA13", iea_pos)
        if _el(el, 13).isdigit() and _el(gs, 6) != str(int(_el(el, 13))):
            self.add("V-11", "GS06 must be ISA13 without leading zeros", 2)

    # -- V-1, V-2, V-4, V-5 (claims), V-8, V-12 ------------------------------------------------
    def claims(self, chains: Mapping[str, str] | None) -> tuple[int, int]:
        clp04_total = 0
        interest_total = 0
        reversed_ids: set[str] = set()
        for index, claim in enumerate(self.p.claims):
            el = claim.elements
            cid = _el(el, 7)
            charge = self.money("V-2", _el(el, 3), claim.position, "CLP03")
            paid = self.money("V-2", _el(el, 4), claim.position, "CLP04")
            clp04_total += paid
            all_cas = list(claim.cas)
            for line in claim.lines:
                svc02 = self.money("V-1", _el(line.elements, 2), line.position, "SVC02")
                svc03 = self.money("V-1", _el(line.elements, 3), line.position, "SVC03")
                adj = self.cas_total(line.cas)
                if svc02 - adj != svc03:
                    self.add(
                        "V-1",
                        f"claim {cid}: SVC02 {svc02} − ΣCAS {adj} ≠ SVC03 {svc03} (cents)",
                        line.position,
                    )
                all_cas += line.cas
            adj = self.cas_total(all_cas)
            if charge - adj != paid:
                self.add(
                    "V-2",
                    f"claim {cid}: CLP03 {charge} − ΣCAS {adj} ≠ CLP04 {paid} (cents)",
                    claim.position,
                )
            pr = self.cas_total(all_cas, "PR")
            clp05 = self.money("V-4", _el(el, 5), claim.position, "CLP05") if _el(el, 5) else 0
            if clp05 != pr:
                self.add("V-4", f"claim {cid}: CLP05 {clp05} ≠ Σ PR {pr} (cents)", claim.position)
            for pos, amount_text in claim.amt_i:
                amount = self.money("V-5", amount_text, pos, "AMT02")
                interest_total += amount
                if amount == 0:
                    self.add("V-5", f"claim {cid}: AMT*I*0 is never sent", pos)
                if _el(el, 2) == "22":
                    self.add("V-5", f"claim {cid}: no AMT*I on a reversal (CLP02 22)", pos)
            self.cas_codes(all_cas)
            self.chain(index, claim, reversed_ids, chains)
        for pos in self.p.misplaced_amt_i:
            self.add("V-5", "AMT*I belongs to the claim (loop 2100), not to a service line", pos)
        return clp04_total, interest_total

    # -- V-13 (ours): elements pyx12 requires that the balancing rules do not see ----------------
    def required_elements(self) -> None:
        for claim in self.p.claims:
            cid = _el(claim.elements, 7)
            for number, name in ((1, "CLP01"), (2, "CLP02"), (6, "CLP06"), (7, "CLP07")):
                if not _el(claim.elements, number):
                    self.add("V-13", f"claim {cid}: {name} is required", claim.position)
        for pos, seg in self.p.segments:
            if seg[0] == "NM1" and bool(_el(seg, 8)) != bool(_el(seg, 9)):
                self.add("V-13", "NM108 and NM109 go together (P0809)", pos)

    def cas_codes(self, cas: list[tuple[int, list[str]]]) -> None:
        allowed = OWN_CARCS | self.settings.extra_carcs
        configured = self.settings.other_group_reason
        if configured is not None:
            allowed = allowed | {configured[1]}
        for pos, el in cas:
            if _el(el, 1) not in CAS_GROUPS:
                self.add("V-12", f"CAS group {_el(el, 1)!r} is not CO, PR, OA or PI", pos)
            if len(el) > 19:
                self.add("V-12", "a CAS carries at most six reason/amount pairs", pos)
            for k in range(2, len(el), 3):
                if el[k] and el[k] not in allowed:
                    self.add("V-12", f"CARC {el[k]!r} is not in our reference list", pos)

    def chain(
        self,
        index: int,
        claim: _Claim,
        reversed_ids: set[str],
        chains: Mapping[str, str] | None,
    ) -> None:
        el = claim.elements
        cid = _el(el, 7)
        status, freq = _el(el, 2), _el(el, 9)
        if status not in ("1", "22"):
            self.add("V-8", f"claim {cid}: CLP02 {status!r} is not 1 or 22", claim.position)
        if status == "22":
            if cid in reversed_ids:
                self.add("V-8", f"claim {cid} is reversed twice", claim.position)
            reversed_ids.add(cid)
            nxt = self.p.claims[index + 1] if index + 1 < len(self.p.claims) else None
            if nxt is not None and _el(nxt.elements, 2) == "1" and chains is not None:
                a, b = chains.get(cid), chains.get(_el(nxt.elements, 7))
                if _el(nxt.elements, 9) == "7" and a is not None and a != b:
                    self.add(
                        "V-8",
                        f"claim {cid}: the correction after its reversal is of another chain",
                        nxt.position,
                    )
            return
        if freq == "8":
            self.add("V-8", f"claim {cid}: a void (frequency 8) yields only its reversal")
        if chains is not None and freq == "7":
            mine = chains.get(cid)
            prev = self.p.claims[index - 1] if index else None
            earlier = [
                c
                for c in self.p.claims[:index]
                if _el(c.elements, 2) == "22" and chains.get(_el(c.elements, 7)) == mine
            ]
            if earlier and (prev is None or prev is not earlier[-1]):
                self.add(
                    "V-8",
                    f"claim {cid}: the reversal of its chain is not right before it",
                    claim.position,
                )

    # -- V-3, V-5 (PLB) ------------------------------------------------------------------------
    def plb(self, interest_total: int) -> tuple[int, int]:
        total = 0
        l6 = 0
        has_l6 = False
        for pos, el in self.p.plbs:
            pairs = (len(el) - 3) // 2
            if len(el) < 5 or (len(el) - 3) % 2:
                self.add("V-5", "PLB needs PLB01, PLB02 and whole code/amount pairs", pos)
            if pairs > plb_rules.MAX_PAIRS:
                self.add("V-5", f"PLB carries {pairs} pairs, at most 6", pos)
            for k in range(3, len(el) - 1, 2):
                code = el[k].split(self.p.component)[0]
                amount = self.money("V-3", el[k + 1], pos, f"PLB{k + 1:02d}")
                total += amount
                if amount == 0:
                    self.add("V-5", f"PLB {code} amount is 0 (never sent)", pos)
                if code not in plb_rules.KNOWN_CODES:
                    self.add("V-12", f"PLB code {code!r} is not in our reference list", pos)
                if code == "L6":
                    has_l6 = True
                    l6 += amount
        if l6 != -interest_total:
            self.add("V-5", f"PLB L6 total {l6} ≠ −ΣAMT*I {-interest_total} (cents)")
        if has_l6 and interest_total == 0:
            self.add("V-5", "PLB L6 without interest (ΣAMT*I = 0)")
        return total, l6

    # -- V-6, V-7 ------------------------------------------------------------------------------
    def bpr_trn(self) -> tuple[list[str], list[str]]:  # noqa: PLR0912 - one branch per rule
        bpr_hit, trn_hit = self.first("BPR"), self.first("TRN")
        bpr = bpr_hit[1] if bpr_hit else ["BPR"]
        trn = trn_hit[1] if trn_hit else ["TRN"]
        pos = bpr_hit[0] if bpr_hit else None
        if bpr_hit is None:
            self.add("V-6", "BPR is missing")
        if trn_hit is None:
            self.add("V-7", "TRN is missing")
        amount = self.money("V-6", _el(bpr, 2), pos or 0, "BPR02") if _el(bpr, 2) else 0
        bpr01, bpr04 = _el(bpr, 1), _el(bpr, 4)
        middle = [_el(bpr, k) for k in range(5, 16)]
        if amount < 0:
            self.add("V-6", "BPR02 is negative (a negative payment is never written)", pos)
        if amount == 0 and (bpr01 != "H" or bpr04 != "NON" or any(middle)):
            self.add("V-6", "BPR02 = 0 requires BPR01 H, BPR04 NON and BPR05–15 empty", pos)
        if bpr01 == "H" and amount != 0:
            self.add("V-6", "BPR01 H (notification only) requires BPR02 = 0", pos)
        if amount > 0 and (bpr01 != "I" or bpr04 not in ("ACH", "CHK")):
            self.add("V-6", "BPR02 > 0 requires BPR01 I and BPR04 ACH or CHK", pos)
        if _el(bpr, 3) != "C":
            self.add("V-6", "BPR03 must be C (credit)", pos)
        if bpr04 == "ACH":
            if _el(bpr, 5) != "CCP":
                self.add("V-6", "ACH requires BPR05 CCP", pos)
            needed = [6, 7, 8, 9, 10, 12, 13, 14, 15]
            if any(not _el(bpr, k) for k in needed):
                self.add("V-6", "ACH requires BPR06–10 and BPR12–15", pos)
            for k in (7, 13):
                if _el(bpr, k) and not aba_valid(_el(bpr, k)):
                    self.add("V-6", f"BPR{k:02d} routing number fails the ABA check", pos)
            if _el(bpr, 10) != _el(trn, 3):
                self.add("V-6", "BPR10 must equal TRN03", pos)
            if _el(bpr, 14) not in ("DA", "SG"):
                self.add("V-6", "BPR14 must be DA or SG", pos)
        elif bpr04 == "CHK" and any(middle):
            self.add("V-6", "a check has no bank elements (BPR05–15 empty)", pos)
        if len(_el(bpr, 16)) != 8 or not _el(bpr, 16).isdigit():
            self.add("V-6", "BPR16 must be a CCYYMMDD date", pos)
        tpos = trn_hit[0] if trn_hit else None
        trn03 = _el(trn, 3)
        if _el(trn, 1) != "1" or not _el(trn, 2):
            self.add("V-7", "TRN01 must be 1 and TRN02 set", tpos)
        if not (len(trn03) == 10 and trn03.isdigit() and trn03[0] == "1"):
            self.add("V-7", "TRN03 must be 1 + the payer's 9-digit TIN", tpos)
        if bpr04 == "NON" and not _el(trn, 2).startswith("NP"):
            self.add("V-7", "a non-payment 835 uses TRN02 NP<ISA13>, never a repeated value", tpos)
        if bpr04 == "ACH" and _el(trn, 4) != _el(bpr, 11):
            self.add("V-7", "BPR11 must equal TRN04", tpos)
        return bpr, trn


def _summary(
    c: _Checker, bpr: list[str], trn: list[str], clp04: int, plb: int, interest: int
) -> Remit835Summary:
    pe = c.first("N1", "PE")
    se = c.first("SE")
    isa13 = c.p.isa_raw[90:99]
    try:
        bpr02 = parse_x12_amount(_el(bpr, 2))
    except X12ValueError:
        bpr02 = 0
    try:
        bpr16: date | None = datetime.strptime(_el(bpr, 16), "%Y%m%d").date()
    except ValueError:
        bpr16 = None
    return Remit835Summary(
        isa13=int(isa13) if isa13.isdigit() else 0,
        bpr01=_el(bpr, 1),
        bpr02_cents=bpr02,
        bpr04=_el(bpr, 4),
        bpr16=bpr16,
        trn_segment="*".join(trn),
        trn02=_el(trn, 2),
        trn03=_el(trn, 3),
        payee_id=_el(pe[1], 4) if pe else "",
        clp04_total=clp04,
        plb_total=plb,
        interest_total=interest,
        claim_count=len(c.p.claims),
        segment_count=int(_el(se[1], 1)) if se and _el(se[1], 1).isdigit() else 0,
    )


def check(
    data: bytes | str,
    settings: X12Settings | None = None,
    *,
    chains: Mapping[str, str] | None = None,
) -> tuple[list[Problem], Remit835Summary | None]:
    """Problems of a rendered 835 and its summary (None when the text cannot be parsed).

    `chains` (CLP07 → claim chain id), when given, lets V-8 check that a correction follows the
    reversal of its own chain; without it V-8 checks what the text alone shows.
    """
    settings = settings or X12Settings()
    try:
        parsed = _split(data)
    except (X12ValueError, UnicodeDecodeError) as exc:
        return [Problem("V-11", f"not an X12 interchange: {exc}")], None
    c = _Checker(parsed, settings)
    c.envelope()
    bpr, trn = c.bpr_trn()
    clp04, interest = c.claims(chains)
    c.required_elements()
    plb_total, _ = c.plb(interest)
    summary = _summary(c, bpr, trn, clp04, plb_total, interest)
    if summary.bpr02_cents != clp04 - plb_total:
        c.add(
            "V-3",
            f"BPR02 {summary.bpr02_cents} ≠ ΣCLP04 {clp04} − ΣPLB {plb_total} (cents)",
        )
    return c.problems, summary


def validate(
    data: bytes | str,
    settings: X12Settings | None = None,
    *,
    chains: Mapping[str, str] | None = None,
) -> list[Problem]:
    """The problems of a rendered 835 (empty list = passes V-1…V-8, V-11, V-12)."""
    return check(data, settings, chains=chains)[0]


def summarize(data: bytes | str) -> Remit835Summary:
    """The parsed summary for cross-output checks (V-9, V-10); raises if the text is unparsable."""
    problems, summary = check(data)
    if summary is None:
        raise Remit835Error("(unparsable)", problems)
    return summary


def assert_valid(
    data: bytes | str,
    *,
    name: str,
    settings: X12Settings | None = None,
    chains: Mapping[str, str] | None = None,
) -> Remit835Summary:
    """Raise `Remit835Error` naming `name` and the failed rules; return the summary."""
    problems, summary = check(data, settings, chains=chains)
    if problems or summary is None:
        raise Remit835Error(name, problems)
    return summary


def trn_reuse(summaries: Iterable[tuple[str, Remit835Summary]]) -> list[Problem]:
    """V-7 across remittances: a TRN02 never repeats for the same (TRN03, payee).

    `summaries` are (name, summary) pairs: this event's files plus the stored `remittance` rows.
    """
    seen: dict[tuple[str, str, str], str] = {}
    problems: list[Problem] = []
    for name, s in summaries:
        key = (s.trn03, s.payee_id, s.trn02)
        if key in seen:
            problems.append(Problem("V-7", f"TRN02 of {name} already used by {seen[key]}"))
        else:
            seen[key] = name
    return problems
