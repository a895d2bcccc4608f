# Writes the small messy-data fixtures of crates/dsn/tests/fixtures/ (run from
# that directory: python3 ../../tools/make_fixtures.py). The fixtures are
# checked in; S90 totals are computed here independently of the Rust reader:
# rubric lines from S10 to S90 inclusive, and the number of S20 declarations.
import re

def envoi(version, decls, s90=True, bad_total=None):
    head = [
        "S10.G00.00.001,'LOGICIEL'",
        "S10.G00.00.002,'EDITEUR'",
        "S10.G00.00.003,'1.0'",
        "S10.G00.00.005,'01'",
        f"S10.G00.00.006,'{version}'",
        "S10.G00.00.007,'01'",
        "S10.G00.00.008,'01'",
    ]
    body = [l for d in decls for l in d]
    lines = head + body
    if s90:
        n = sum(1 for l in lines if re.match(r"\s*S\d\d\.G\d\d\.\d\d\.\d\d\d", l)) + 2
        nd = sum(1 for l in lines if l.startswith("S20.G00.05.001"))
        lines += [f"S90.G00.90.001,'{bad_total or n}'", f"S90.G00.90.002,'{nd}'"]
    return lines

def decl(nature="01", kind="01", month="01032024", nic="00012", siren="123456789",
         fraction="11", order="1", extra_header=(), body=()):
    h = [f"S20.G00.05.001,'{nature}'", f"S20.G00.05.002,'{kind}'",
         f"S20.G00.05.003,'{fraction}'", f"S20.G00.05.004,'{order}'"]
    if month:
        h.append(f"S20.G00.05.005,'{month}'")
    h += list(extra_header)
    return h + [f"S21.G00.06.001,'{siren}'", "S21.G00.06.003,'6202A'",
                f"S21.G00.11.001,'{nic}'", "S21.G00.11.004,'75011'",
                "S21.G00.11.005,'PARIS'"] + list(body)

def ind(nir="1800175123456", ntt=None, birth="15031980", sex="01"):
    l = []
    if nir: l.append(f"S21.G00.30.001,'{nir}'")
    l.append("S21.G00.30.002,'DUPONT'")
    l.append("S21.G00.30.004,'JEAN'")
    l.append(f"S21.G00.30.005,'{sex}'")
    l.append(f"S21.G00.30.006,'{birth}'")
    if ntt: l.append(f"S21.G00.30.020,'{ntt}'")
    return l

def ctr(start="01012024", nature="01", disp="99", num="00001", extra=()):
    lines = [f"S21.G00.40.001,'{start}'", f"S21.G00.40.007,'{nature}'",
             f"S21.G00.40.008,'{disp}'", f"S21.G00.40.009,'{num}'"] + list(extra)
    # Rubrics of one block instance in increasing order (S21.G00.40.xxx only).
    c = sorted(l for l in lines if l.startswith("S21.G00.40."))
    return c + [l for l in lines if not l.startswith("S21.G00.40.")]

def write(name, lines, enc="utf-8", eol="\n", final_eol=True):
    text = eol.join(lines) + (eol if final_eol else "")
    data = text.encode(enc) if isinstance(enc, str) else enc(text)
    open(name, "wb").write(data)

# 1. Encodings
d1 = decl(body=ind() + ["S21.G00.30.007,'Orléans'"][:0] + ctr(extra=["S21.G00.40.006,'Cœur de métier été'"]))
write("01_latin1.dsn", envoi("P24V01", [d1]), enc="cp1252")
write("01_utf8_bom.dsn", envoi("P24V01", [d1]), enc="utf-8-sig")
lines = envoi("P24V01", [d1])
# UTF-8 file with one stray Latin-1 byte on the établissement town line.
data = ("\n".join(lines) + "\n").encode("utf-8").replace(b"S21.G00.11.005,'PARIS'", b"S21.G00.11.005,'SAINT-\xc9TIENNE'")
open("01_utf8_one_bad_byte.dsn", "wb").write(data)

# 2. Line endings, blank lines, trailing spaces, no final newline
lines = envoi("P24V01", [decl(body=ind() + ctr())])
lines = lines[:3] + ["", "   "] + [lines[3] + "  "] + lines[4:]
write("02_crlf_blank_no_final_eol.dsn", lines, eol="\r\n", final_eol=False)

# 3. Several envois and declarations, inside a lot envelope
e1 = envoi("P24V01", [decl(nic="00012", body=ind() + ctr()),
                      decl(nic="00020", body=ind(nir="2850299123456", sex="02") + ctr(num="A0002")),])
e2 = envoi("P24V01", [decl(nic="00038", month="01042024", body=ind() + ctr() + ind(nir="1900133123456") + ctr(num="00007"))])
lot = ["S05.G51.00.001,'V01R02'", "S05.G51.00.002,'42'", "S05.G51.00.006,'2'",
       "S06.G51.00.001,'DSNOK'"] + e1 + e2 + ["S96.G51.00.001,'FINSL'", "S96.G51.00.002,'2'",
       "S95.G51.00.001,'42'", "S95.G51.00.002,'2'"]
write("03_lot_two_envois_three_declarations.dsn", lot)

# 4. Non-norm rubrics and unknown codes of other norms
d = decl(nature="10", extra_header=["S20.G00.96.902,'1'"],
         body=["S21.G00.11.904,'PLATEFORME'"][:0] + ind() + ctr(disp="83", extra=["S21.G00.40.999,'X'"]) +
              ["S21.G00.62.001,'31032024'", "S21.G00.62.002,'119'"])
d = d[:d.index("S21.G00.11.005,'PARIS'") + 1] + ["S21.G00.11.904,'PLATEFORME'"] + d[d.index("S21.G00.11.005,'PARIS'") + 1:]
lines = envoi("P24V01", [d])
lines = lines[:7] + ["S10.G00.95.001,'DEPOT'", "S10.G00.95.900,'XXX'"] + lines[7:]
# fix S90 totals for the two inserted lines
lines[-2] = "S90.G00.90.001,'%d'" % (int(lines[-2].split("'")[1]) + 2)
write("04_non_norm_rubrics.dsn", lines)

# 5. Norm versions: P24 envoi then P26 envoi with P26-only rubrics
e1 = envoi("P24V01", [decl(body=ind() + ctr(extra=["S21.G00.40.083,'0800'"]))])
e2 = envoi("P26V01", [decl(month="01042024", body=ind() + ["S21.G00.30.030,'01'"] + ctr(extra=["S21.G00.40.082,'10'"]))])
write("05_norm_versions.dsn", e1 + e2)

# 6. Annule et remplace / annule
e = envoi("P24V01", [decl(kind="01", order="1", body=ind() + ctr()),
                     decl(kind="03", order="2", extra_header=["S20.G00.05.006,'010320241'"], body=ind() + ctr()),
                     decl(nature="07", kind="04", month=None, order="3", extra_header=["S20.G00.05.006,'010320242'"], body=[])])
write("06_annule_et_remplace.dsn", e)

# 7. Fractions
e = envoi("P24V01", [decl(fraction="12", body=ind() + ctr()),
                     decl(fraction="22", body=ind(nir="2850299123456", sex="02") + ctr())])
write("07_fractions.dsn", e)

# 8. Same contract redeclared in two monthly declarations
e1 = envoi("P24V01", [decl(month="01012024", body=ind() + ctr(start="15112023", num="C0001"))])
e2 = envoi("P24V01", [decl(month="01022024", body=ind() + ctr(start="15112023", num="C0001"))])
write("08_contract_redeclared.dsn", e1 + e2)

# 9. Identifier changes (31 for the individual, 41 for the contract)
body = ind() + ["S21.G00.31.001,'01022024'", "S21.G00.31.008,'1800175999999'"] + \
       ctr(extra=["S21.G00.41.001,'01022024'", "S21.G00.41.012,'12345678900099'", "S21.G00.41.014,'OLD01'"])
write("09_identifier_changes.dsn", envoi("P24V01", [decl(body=body)]))

# 10. NTT-only individuals, including one right after an individual without contract
body = ind() + ind(nir=None, ntt="11234567890") + ctr() + ind(nir=None, ntt="21234567890", sex="02") + ctr(num="00002")
write("10_ntt_only.dsn", envoi("P24V01", [decl(body=body)]))

# 11. Contract end and cancellations
body = ind() + ctr(nature="02", extra=["S21.G00.40.010,'30062024'"]) + \
       ["S21.G00.60.001,'99'", "S21.G00.60.002,'01032024'",
        "S21.G00.62.001,'15032024'", "S21.G00.62.002,'099'",
        "S21.G00.65.001,'998'", "S21.G00.65.002,'01032024'"]
write("11_end_and_cancellations.dsn", envoi("P24V01", [decl(body=body)]))

# 12/13. Temporary work: mission contract, user site in 40.019 and S21.G00.85 after the individuals
body = ind() + ctr(nature="03", extra=["S21.G00.40.019,'98765432100017'"]) + \
       ind(nir="2850299123456", sex="02") + ctr(nature="03", num="00002", extra=["S21.G00.40.019,'SITE2'"]) + \
       ["S21.G00.85.001,'98765432100017'", "S21.G00.85.011,'75111'",
        "S21.G00.85.001,'SITE2'", "S21.G00.85.011,'69123'"]
write("12_temporary_work_lieux.dsn", envoi("P24V01", [decl(body=body)]))

# 14. Quotité and hours: activity blocks, and a comma decimal separator
body = ind() + ctr(extra=["S21.G00.40.011,'10'", "S21.G00.40.012,'151.67'", "S21.G00.40.013,'151,67'"]) + \
       ["S21.G00.50.001,'31032024'", "S21.G00.51.001,'01032024'", "S21.G00.51.002,'31032024'",
        "S21.G00.51.011,'002'", "S21.G00.51.013,'2000.00'", "S21.G00.53.001,'01'",
        "S21.G00.53.002,'151.67'", "S21.G00.53.003,'10'"]
write("14_quotite_hours.dsn", envoi("P24V01", [decl(body=body)]))

# 15. Negative amounts, 99 birth dates, placeholder NIR, block out of order (62 after 50)
body = ind(nir="1234567890123", birth="99991980") + ctr() + \
       ["S21.G00.50.001,'31032024'", "S21.G00.51.001,'01032024'", "S21.G00.51.002,'31032024'",
        "S21.G00.51.011,'001'", "S21.G00.51.013,'-120.00'",
        "S21.G00.62.001,'31032024'", "S21.G00.62.002,'059'"]
write("15_negative_99_out_of_order.dsn", envoi("P24V01", [decl(body=body)]))

# 16. Non-conforming export: block header lines, YYYYMMDD dates, comments
lines = envoi("P24V01", [decl(body=ind() + ctr(start="20240101"))])
i = lines.index("S21.G00.30.001,'1800175123456'")
lines = ["# exported by a test tool"] + lines[:i] + ["S21.G00.30,''"] + lines[i:]
write("16_nonconforming_export.dsn", lines)

# 17. Malformed declaration skipped, valid ones kept; orphan lines between envois
e1 = envoi("P24V01", [decl(nic="00012", body=ind() + ctr()),
                      [l for l in decl(nic="00020", body=ind() + ctr()) if not l.startswith("S21.G00.11")],
                      decl(nic="00038", body=ind() + ctr())])
e2 = envoi("P24V01", [decl(nic="00046", body=ind() + ctr())])
lines = e1 + ["S21.G00.30.001,'1800175123456'", "S21.G00.30.002,'ORPHELIN'", "garbage line"] + e2
write("17_malformed_declaration.dsn", lines)

# S90 mismatch and truncated file (no S90)
e1 = envoi("P24V01", [decl(body=ind() + ctr())], bad_total=99)
e2 = envoi("P24V01", [decl(month="01042024", body=ind() + ctr())], s90=False)
write("18_s90_mismatch_truncated.dsn", e1 + e2)
