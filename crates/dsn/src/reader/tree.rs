//! Placing blocks in the norm's tree: envois, declarations, entreprise,
//! établissement, individuals, contracts and their sub-blocks, lot envelope.
//! Out-of-order blocks go to the nearest valid parent with a warning;
//! declarations without nature, entreprise or établissement are skipped.
//!
//! The block being placed is always the last one of the working
//! [`RawDecl`]: placing it in the declaration is recording its index, and
//! placing it elsewhere (envoi header, S90, lot envelope) or dropping it
//! removes it from the end.

use std::sync::Arc;

use super::raw::{RawContrat, RawIndividu, Span, Text, NONE};
use super::{Core, EnvoiSummary, LotGroup, LotSummary, S90Check};
use crate::diag::Severity;
use crate::model::{Block, BlockId, EnvoiHeader};

/// Level of the norm tree an S21 block hangs from (Blocks sheet of the workbook).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Entreprise,
    Etablissement,
    EtabChild,
    Individu,
    IndivChild,
    Contrat,
    ContratChild,
    FinContrat,
    LieuTravail,
    Unknown,
}

fn s21_level(b: u8) -> Level {
    match b {
        6 => Level::Entreprise,
        11 => Level::Etablissement,
        12 | 13 | 15 | 16 | 20 | 22 | 23 | 44 | 55 | 82 => Level::EtabChild,
        30 => Level::Individu,
        31 | 34 | 50..=54 | 56 | 58 | 78 | 79 | 81 | 83 | 84 | 86 | 95 | 98 => Level::IndivChild,
        40 => Level::Contrat,
        62 => Level::FinContrat,
        41 | 45 | 60 | 63 | 65 | 66 | 70..=73 => Level::ContratChild,
        85 => Level::LieuTravail,
        _ => Level::Unknown,
    }
}

pub(super) struct EnvoiState {
    pub(super) line: u32,
    pub(super) header: Vec<Block>,
    pub(super) shared: Option<Arc<EnvoiHeader>>,
    pub(super) lines: u64,
    pub(super) declarations: u64,
    pub(super) summary_index: usize,
}

impl Core {
    pub(super) fn start_envoi(&mut self, line: u32) {
        if self.envoi.is_some() {
            self.diag(
                Severity::Warning,
                "envoi-unclosed",
                line,
                Some("S10.G00.00".into()),
                "new envoi before the previous one's S90 totals",
            );
            self.close_envoi(None);
        }
        if let Some(g) = self.group_open {
            if let Some(grp) = self.summary.lot.as_mut().and_then(|l| l.groups.get_mut(g)) {
                grp.envois += 1;
            }
        }
        self.summary.envois.push(EnvoiSummary {
            line,
            norm_version: None,
            declarations: 0,
            s90: None,
        });
        self.envoi = Some(EnvoiState {
            line,
            header: Vec::new(),
            shared: None,
            lines: 0,
            declarations: 0,
            summary_index: self.summary.envois.len() - 1,
        });
    }

    pub(super) fn close_envoi(&mut self, s90: Option<&Block>) {
        self.finish_decl();
        let Some(e) = self.envoi.take() else { return };
        if let Some(b) = s90 {
            let num = |n: u16| b.get(n).and_then(|v| v.trim().parse::<u64>().ok());
            let check = S90Check {
                line: b.line,
                declared_lines: num(1),
                counted_lines: e.lines,
                declared_declarations: num(2),
                counted_declarations: e.declarations,
            };
            if check.declared_lines != Some(check.counted_lines) {
                self.diag(
                    Severity::Warning,
                    "s90-mismatch",
                    b.line,
                    Some("S90.G00.90.001".into()),
                    format!(
                        "S90 declares {} rubric lines, {} were read in this envoi",
                        b.get(1).unwrap_or("nothing"),
                        check.counted_lines
                    ),
                );
            }
            if check.declared_declarations != Some(check.counted_declarations) {
                self.diag(
                    Severity::Warning,
                    "s90-mismatch",
                    b.line,
                    Some("S90.G00.90.002".into()),
                    format!(
                        "S90 declares {} declarations, {} were read in this envoi",
                        b.get(2).unwrap_or("nothing"),
                        check.counted_declarations
                    ),
                );
            }
            self.summary.envois[e.summary_index].s90 = Some(check);
        } else if e.line > 0 {
            self.diag(
                Severity::Warning,
                "no-s90",
                e.line,
                Some("S10.G00.00".into()),
                "envoi has no S90 totals (truncated file?)",
            );
        }
    }

    /// The shared header of the open envoi, creating an implicit envoi if needed.
    pub(super) fn envoi_header(&mut self, line: u32) -> Arc<EnvoiHeader> {
        if self.envoi.is_none() {
            self.diag(
                Severity::Warning,
                "no-envoi",
                line,
                Some("S20.G00.05".into()),
                "declaration outside an envoi (no S10.G00.00 before it)",
            );
            self.start_envoi(0);
        }
        let e = self.envoi.as_mut().expect("envoi just opened");
        if let Some(h) = &e.shared {
            return h.clone();
        }
        let h = Arc::new(EnvoiHeader {
            blocks: std::mem::take(&mut e.header),
            line: e.line,
        });
        e.shared = Some(h.clone());
        let version = h.norm_version().map(str::to_string);
        if let Some(v) = &version {
            if !self.summary.norm_versions.contains(v) {
                self.summary.norm_versions.push(v.clone());
            }
        }
        self.summary.envois[e.summary_index].norm_version = version;
        h
    }

    /// Attach the last block of the working declaration to the tree.
    pub(super) fn place(&mut self, text: Text<'_>) {
        let Some(&b) = self.work.blocks.last() else {
            return;
        };
        let bi = (self.work.blocks.len() - 1) as u32;
        let id = b.id;
        match (id.s, id.g) {
            (5 | 6 | 95 | 96, 51) => {
                let b = self.work.take_last(text);
                self.place_lot(b);
            }
            (10, 0) => {
                let Some(e) = &mut self.envoi else {
                    self.orphan("envoi block outside an envoi");
                    return;
                };
                if e.shared.is_none() {
                    e.header.push(self.work.take_last(text));
                } else if self.work.active {
                    self.diags.push(Severity::Warning, "out-of-order", b.line, Some(id.to_string()), "S10 block after the first declaration; kept in the declaration's other blocks");
                    self.work.other.push(bi);
                } else {
                    self.orphan("S10 block after a declaration was closed");
                }
            }
            (20, 0) if id.b == 5 => {
                // The header opens the next declaration: move it there first.
                let mut next = self.pool.pop().unwrap_or_default();
                next.clear();
                self.work.move_last_to(&mut next);
                self.finish_decl();
                let old = std::mem::replace(&mut self.work, next);
                self.recycle(old);
                let envoi = self.envoi_header(b.line);
                if let Some(e) = &mut self.envoi {
                    e.declarations += 1;
                    self.summary.envois[e.summary_index].declarations += 1;
                }
                let w = &mut self.work;
                w.active = true;
                w.envoi = Some(envoi);
                w.header = 0;
                w.line = b.line;
            }
            (20, _) => {
                if self.work.active {
                    if self.work.entreprise != NONE {
                        self.diags.push(
                            Severity::Warning,
                            "out-of-order",
                            b.line,
                            Some(id.to_string()),
                            "S20 block after S21 blocks; attached to the declaration header",
                        );
                    }
                    self.work.header_other.push(bi);
                } else {
                    self.orphan("S20 block without S20.G00.05 declaration");
                }
            }
            (21, 0) => self.place_s21(bi),
            (90, 0) if id.b == 90 => {
                let b = self.work.take_last(text);
                if self.envoi.is_none() {
                    self.diag(
                        Severity::Warning,
                        "no-envoi",
                        b.line,
                        Some(id.to_string()),
                        "S90 totals without an open envoi",
                    );
                    return;
                }
                self.close_envoi(Some(&b));
            }
            (89, 0) => {
                if self.work.active {
                    self.work.other.push(bi);
                } else {
                    self.orphan("S89 block outside a declaration");
                }
            }
            _ => {
                if self.work.active {
                    self.diags.push(
                        Severity::Warning,
                        "unknown-block",
                        b.line,
                        Some(id.to_string()),
                        "block unknown to the norm; kept in the declaration's other blocks",
                    );
                    self.work.other.push(bi);
                } else {
                    self.orphan("block unknown to the norm outside a declaration");
                }
            }
        }
    }

    /// Drop the last block with an error.
    pub(super) fn orphan(&mut self, why: &str) {
        let Some(&b) = self.work.blocks.last() else {
            return;
        };
        let n = b.end - b.first;
        self.work.pop_block();
        self.diag(
            Severity::Error,
            "orphan-block",
            b.line,
            Some(b.id.to_string()),
            format!("{why}; {n} line(s) dropped"),
        );
    }

    pub(super) fn place_s21(&mut self, bi: u32) {
        if !self.work.active {
            self.orphan("S21 block without S20.G00.05 declaration");
            return;
        }
        let d = &mut self.work;
        let b = d.blocks[bi as usize];
        let (id, line) = (b.id, b.line);
        let mut warn: Option<&'static str> = None;
        let level = s21_level(id.b);
        let has_indiv = !d.individus.is_empty();
        match level {
            Level::Entreprise => {
                if d.entreprise != NONE {
                    d.malformed
                        .push(format!("second S21.G00.06 entreprise at line {line}"));
                    d.other.push(bi);
                } else {
                    d.entreprise = bi;
                }
            }
            Level::Etablissement => {
                if d.etablissement != NONE {
                    d.malformed
                        .push(format!("second S21.G00.11 établissement at line {line}"));
                    d.other.push(bi);
                } else {
                    if d.entreprise == NONE {
                        warn = Some("établissement before its entreprise (S21.G00.06)");
                    }
                    d.etablissement = bi;
                }
            }
            Level::EtabChild => {
                if has_indiv {
                    warn = Some("establishment-level block after the individuals; attached to the establishment");
                }
                d.etablissement_other.push(bi);
            }
            Level::Individu => {
                if d.lieux_started {
                    warn = Some("individual after the S21.G00.85 lieux de travail");
                }
                d.indiv_tail = false;
                d.individus.push(RawIndividu {
                    block: bi,
                    contrats: Span::at(d.contrats.len()),
                    other: Span::at(d.ind_other.len()),
                });
            }
            Level::IndivChild => match d.individus.last_mut() {
                Some(ind) => {
                    if d.lieux_started {
                        warn = Some("individual-level block after the lieux de travail; attached to the last individual");
                    }
                    if !matches!(id.b, 31 | 34) {
                        d.indiv_tail = true;
                    }
                    d.ind_other.push(bi);
                    ind.other.end = d.ind_other.len() as u32;
                }
                None => {
                    warn = Some("individual-level block without an individual; kept in the declaration's other blocks");
                    d.other.push(bi);
                }
            },
            Level::Contrat => {
                match d.individus.last_mut() {
                    Some(ind) => {
                        if d.indiv_tail || d.lieux_started {
                            warn = Some("contract after the individual's payments or other later blocks; attached to the last individual");
                        }
                        let at = |v: &Vec<u32>| Span::at(v.len());
                        d.contrats.push(RawContrat {
                            block: bi,
                            changements: at(&d.changements),
                            arrets: at(&d.arrets),
                            fin: NONE,
                            suspensions: at(&d.suspensions),
                            other: at(&d.contrat_other),
                        });
                        ind.contrats.end = d.contrats.len() as u32;
                    }
                    None => {
                        warn = Some("contract without an individual; kept in the declaration's other blocks");
                        d.other.push(bi);
                    }
                }
            }
            Level::ContratChild | Level::FinContrat => match d.individus.last_mut() {
                Some(ind) => {
                    // The last contract of the last individual, if it has one.
                    let c = if ind.contrats.end > ind.contrats.start {
                        d.contrats.get_mut(ind.contrats.end as usize - 1)
                    } else {
                        None
                    };
                    match c {
                        Some(c) => {
                            if d.indiv_tail || d.lieux_started {
                                warn = Some("contract-level block out of norm order; attached to the individual's last contract");
                            }
                            let push = |list: &mut Vec<u32>, span: &mut Span| {
                                list.push(bi);
                                span.end = list.len() as u32;
                            };
                            match id.b {
                                41 => push(&mut d.changements, &mut c.changements),
                                60 => push(&mut d.arrets, &mut c.arrets),
                                65 => push(&mut d.suspensions, &mut c.suspensions),
                                62 if c.fin == NONE => c.fin = bi,
                                62 => {
                                    warn = Some("second S21.G00.62 fin du contrat for one contract; kept in the contract's other blocks");
                                    push(&mut d.contrat_other, &mut c.other);
                                }
                                _ => push(&mut d.contrat_other, &mut c.other),
                            }
                        }
                        None => {
                            warn = Some("contract-level block without a contract; kept in the individual's other blocks");
                            d.ind_other.push(bi);
                            ind.other.end = d.ind_other.len() as u32;
                        }
                    }
                }
                None => {
                    warn = Some("contract-level block without an individual; kept in the declaration's other blocks");
                    d.other.push(bi);
                }
            },
            Level::LieuTravail => {
                d.lieux_started = true;
                d.lieux_travail.push(bi);
            }
            Level::Unknown => {
                warn =
                    Some("S21 block unknown to the norm; kept in the declaration's other blocks");
                d.other.push(bi);
            }
        }
        if let Some(msg) = warn {
            self.s21_warning(level == Level::Unknown, line, id, msg);
        }
    }

    /// The warning of [`Core::place_s21`] (out of line: keeps the common
    /// case short).
    #[cold]
    #[inline(never)]
    fn s21_warning(&mut self, unknown: bool, line: u32, id: BlockId, msg: &'static str) {
        let code = if unknown {
            "unknown-block"
        } else {
            "out-of-order"
        };
        self.diag(Severity::Warning, code, line, Some(id.to_string()), msg);
    }

    pub(super) fn place_lot(&mut self, b: Block) {
        let line = b.line;
        match b.id.s {
            5 => {
                if self.summary.lot.is_some() {
                    self.diag(
                        Severity::Warning,
                        "lot",
                        line,
                        Some(b.id.to_string()),
                        "second lot header in one file",
                    );
                }
                self.group_open = None;
                self.summary.lot = Some(LotSummary {
                    line,
                    version: b.get(1).map(str::to_string),
                    id: b.get(2).map(str::to_string),
                    groups: Vec::new(),
                    closed: false,
                });
            }
            6 => {
                self.close_open_envoi_in_lot(line);
                let lot = self.summary.lot.get_or_insert_with(LotSummary::default);
                lot.groups.push(LotGroup {
                    line,
                    code: b.get(1).map(str::to_string),
                    declared_dsn: None,
                    envois: 0,
                });
                self.group_open = Some(lot.groups.len() - 1);
            }
            96 => {
                self.close_open_envoi_in_lot(line);
                let declared = b.get(2).and_then(|v| v.trim().parse::<u64>().ok());
                let mut mismatch = None;
                let group = self.group_open.take();
                let group = group.and_then(|g| self.summary.lot.as_mut()?.groups.get_mut(g));
                if let Some(grp) = group {
                    grp.declared_dsn = declared;
                    if declared != Some(grp.envois) {
                        mismatch = Some(grp.envois);
                    }
                } else {
                    self.diag(
                        Severity::Warning,
                        "lot",
                        line,
                        Some(b.id.to_string()),
                        "group end without group header",
                    );
                }
                if let Some(n) = mismatch {
                    self.diag(
                        Severity::Warning,
                        "lot-count",
                        line,
                        Some("S96.G51.00.002".into()),
                        format!(
                            "group end declares {} DSN, {n} envois were read in the group",
                            b.get(2).unwrap_or("nothing")
                        ),
                    );
                }
            }
            _ => {
                self.close_open_envoi_in_lot(line);
                let mut msg = None;
                match &mut self.summary.lot {
                    Some(lot) => {
                        lot.closed = true;
                        if lot.id.is_some() && b.get(1) != lot.id.as_deref() {
                            msg = Some("lot end number differs from the lot header");
                        }
                    }
                    None => msg = Some("lot end without lot header"),
                }
                if let Some(m) = msg {
                    self.diag(Severity::Warning, "lot", line, Some(b.id.to_string()), m);
                }
            }
        }
    }

    pub(super) fn close_open_envoi_in_lot(&mut self, line: u32) {
        if self.envoi.is_some() {
            self.diag(
                Severity::Warning,
                "envoi-unclosed",
                line,
                None,
                "lot envelope line inside an envoi (S90 missing)",
            );
            self.close_envoi(None);
        }
    }

    /// Move the declaration being built to the output queue (or skip it).
    pub(super) fn finish_decl(&mut self) {
        if !self.work.active {
            return;
        }
        let d = &mut self.work;
        if !d.has(d.header, 1) {
            d.malformed.push("no nature (S20.G00.05.001)".into());
        }
        if d.entreprise == NONE {
            d.malformed.push("no entreprise block (S21.G00.06)".into());
        }
        if d.etablissement == NONE {
            d.malformed
                .push("no établissement block (S21.G00.11)".into());
        }
        if d.malformed.is_empty() {
            self.summary.declarations_read += 1;
            let mut next = self.pool.pop().unwrap_or_default();
            next.clear();
            let done = std::mem::replace(&mut self.work, next);
            self.ready.push_back(done);
        } else {
            self.summary.declarations_skipped += 1;
            let why = d.malformed.join("; ");
            let l = d.line;
            d.clear();
            self.diag(
                Severity::Error,
                "malformed-declaration",
                l,
                Some("S20.G00.05".into()),
                format!("declaration skipped: {why}"),
            );
        }
    }
}
