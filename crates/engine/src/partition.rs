//! Resolving declarations and building contracts, one partition of persons at a time.
//!
//! The observations of [`crate::observe`] live in person buckets (in memory
//! or in the working store, behind [`Source`]). The computation then needs:
//!
//! 1. a small per-establishment-month table: the headers of the monthly
//!    declarations, from which [`Resolver`] decides which declarations are
//!    kept (A&R, fractions, latest n° d'ordre) and each establishment's months
//!    and fields;
//! 2. the identity links (NTT ↔ NIR, [`Identities`]);
//! 3. then, for each *group* of buckets, the persons of that group only:
//!    [`Builder`] folds their observations into contracts, the group's
//!    [`Dataset`] gives each establishment a [`Partial`], and the partials of
//!    all groups add up to the indicators ([`indicators`]).
//!
//! A person belongs to the bucket of its root key (its NIR key, see
//! [`Identities`]). Observations written under another key (an NTT-only
//! individual, kept in the NTT bucket; or, rarely, a second NIR linked
//! through a shared NTT) are moved to their root's group by a pre-pass. Peak
//! memory is thus one group's persons and contracts, plus per-establishment
//! state and the NTT-only observations.

use std::collections::HashSet;

use ancrage_dsn::Sex;
use chrono::NaiveDate;

use crate::compute::{partials, Partial, Period};
use crate::indicators::EstablishmentIndicators;
use crate::ingest::{
    Arret, Contract, Dataset, Establishment, HashMap, NatureGroup, Person, Suspension,
    AIDED_DISPOSITIFS, ALTERNANCE_DISPOSITIFS, INVALIDITY_SUSPENSIONS,
};
use crate::observe::{
    bucket_of, encode_group, ContractObs, DecodeError, Decoder, EstabFields, EventKind,
    GroupHeader, IndividualObs,
};
use crate::pseudo::PersonKey;
use crate::time::{month_last, Month};

/// Ordering key of an observation: (month, n° d'ordre, fingerprint).
pub type Rank = (Month, u64, u64);

/// The header of a monthly declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthlyHeader {
    pub decl: u32,
    pub estab: u32,
    pub month: Month,
    pub frac: (u8, u8),
    pub order: u64,
    pub replace: bool,
    pub fp: u64,
    pub info: EstabFields,
}

/// Which monthly declarations are kept; each establishment's months and fields.
#[derive(Clone, Debug, Default)]
pub struct Resolution {
    kept: Vec<u64>,
    /// Declared months, sorted, by establishment id.
    pub months: Vec<Vec<Month>>,
    /// Fields of the latest monthly declaration, by establishment id.
    pub info: Vec<Option<(Rank, EstabFields)>>,
    /// Monthly declarations replaced by a later one.
    pub replaced: u64,
}

impl Resolution {
    pub fn kept(&self, decl: u32) -> bool {
        self.kept
            .get(decl as usize / 64)
            .is_some_and(|w| w >> (decl % 64) & 1 == 1)
    }
}

/// Resolves monthly declarations one (establishment, month) at a time.
pub struct Resolver {
    res: Resolution,
    group: Vec<MonthlyHeader>,
}

impl Resolver {
    pub fn new(establishments: usize) -> Self {
        Self {
            res: Resolution {
                months: vec![Vec::new(); establishments],
                info: vec![None; establishments],
                ..Default::default()
            },
            group: Vec::new(),
        }
    }

    /// Headers must come sorted by (establishment, month); equal ones in insertion order.
    pub fn push(&mut self, h: MonthlyHeader) {
        if self
            .group
            .last()
            .is_some_and(|g| (g.estab, g.month) != (h.estab, h.month))
        {
            self.flush();
        }
        let info = ((h.month, h.order, h.fp), h.info.clone());
        let slot = &mut self.res.info[h.estab as usize];
        if slot.as_ref().is_none_or(|cur| info > *cur) {
            *slot = Some(info);
        }
        self.group.push(h);
    }

    /// Per fraction number the latest declaration wins (n° d'ordre, then an
    /// A&R, then the fingerprint); the fractions kept are those of the
    /// fraction total of the overall latest one.
    fn flush(&mut self) {
        let g = std::mem::take(&mut self.group);
        let Some(first) = g.first() else { return };
        let rank = |r: &MonthlyHeader| (r.order, r.replace, r.fp);
        let mut winners: Vec<&MonthlyHeader> = Vec::new();
        for h in &g {
            match winners.iter_mut().find(|w| w.frac.0 == h.frac.0) {
                Some(w) => {
                    if rank(h) > rank(w) {
                        *w = h;
                    }
                }
                None => winners.push(h),
            }
        }
        let latest = *winners
            .iter()
            .max_by_key(|w| rank(w))
            .expect("non-empty group");
        let mut kept = 0;
        for w in winners.iter().filter(|w| w.frac.1 == latest.frac.1) {
            let (word, bit) = (w.decl as usize / 64, w.decl % 64);
            if self.res.kept.len() <= word {
                self.res.kept.resize(word + 1, 0);
            }
            self.res.kept[word] |= 1 << bit;
            kept += 1;
        }
        self.res.replaced += (g.len() - kept) as u64;
        self.res.months[first.estab as usize].push(first.month);
    }

    pub fn finish(mut self) -> Resolution {
        self.flush();
        self.res
    }
}

/// NTT ↔ NIR links: the root of a person is the best key of its linked
/// class (a NIR key before an NTT key, then the smallest).
#[derive(Clone, Debug, Default)]
pub struct Identities {
    root: HashMap<PersonKey, PersonKey>,
    nir: HashSet<PersonKey>,
}

impl Identities {
    /// From `(NTT key, NIR key)` pairs.
    pub fn new(links: &[(PersonKey, PersonKey)]) -> Self {
        let mut index: HashMap<PersonKey, u32> = HashMap::default();
        let mut keys: Vec<(PersonKey, bool)> = Vec::new();
        let mut id = |k: PersonKey, nir: bool, keys: &mut Vec<(PersonKey, bool)>| {
            *index.entry(k).or_insert_with(|| {
                keys.push((k, nir));
                keys.len() as u32 - 1
            })
        };
        let pairs: Vec<(u32, u32)> = links
            .iter()
            .map(|(t, n)| (id(*t, false, &mut keys), id(*n, true, &mut keys)))
            .collect();
        let mut parent: Vec<u32> = (0..keys.len() as u32).collect();
        fn find(parent: &mut [u32], mut x: u32) -> u32 {
            while parent[x as usize] != x {
                parent[x as usize] = parent[parent[x as usize] as usize];
                x = parent[x as usize];
            }
            x
        }
        for (a, b) in pairs {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra as usize] = rb;
        }
        let better = |a: (PersonKey, bool), b: (PersonKey, bool)| {
            (a.1, std::cmp::Reverse(a.0)) > (b.1, std::cmp::Reverse(b.0))
        };
        let mut best: HashMap<u32, (PersonKey, bool)> = HashMap::default();
        for i in 0..keys.len() as u32 {
            let r = find(&mut parent, i);
            let slot = best.entry(r).or_insert(keys[i as usize]);
            if better(keys[i as usize], *slot) {
                *slot = keys[i as usize];
            }
        }
        let mut root = HashMap::default();
        let mut nir = HashSet::new();
        for i in 0..keys.len() as u32 {
            let (k, is_nir) = keys[i as usize];
            root.insert(k, best[&find(&mut parent, i)].0);
            if is_nir {
                nir.insert(k);
            }
        }
        Self { root, nir }
    }

    pub fn root(&self, k: &PersonKey) -> PersonKey {
        self.root.get(k).copied().unwrap_or(*k)
    }

    /// Linked NIR keys whose root is another key.
    fn non_root_nirs(&self) -> impl Iterator<Item = (&PersonKey, &PersonKey)> {
        self.root
            .iter()
            .filter(|(k, r)| k != r && self.nir.contains(*k))
    }
}

/// What is needed to build the contracts of any group of persons.
pub struct Context {
    /// Sorted by SIRET, with their months.
    pub establishments: Vec<Establishment>,
    /// Establishment id → index in `establishments`.
    pub estab_index: Vec<u32>,
    pub resolution: Resolution,
    pub identities: Identities,
    pub m0: Option<Month>,
    pub m1: Option<Month>,
}

impl Context {
    /// From the SIRET of each establishment id, the resolution and the links.
    pub fn new(sirets: Vec<String>, mut resolution: Resolution, identities: Identities) -> Self {
        let mut order: Vec<u32> = (0..sirets.len() as u32).collect();
        order.sort_by(|a, b| sirets[*a as usize].cmp(&sirets[*b as usize]));
        let mut estab_index = vec![0u32; sirets.len()];
        for (i, e) in order.iter().enumerate() {
            estab_index[*e as usize] = i as u32;
        }
        let mut sirets: Vec<Option<String>> = sirets.into_iter().map(Some).collect();
        let establishments: Vec<Establishment> = order
            .iter()
            .map(|e| {
                let e = *e as usize;
                let f = resolution
                    .info
                    .get_mut(e)
                    .and_then(Option::take)
                    .map(|(_, f)| f)
                    .unwrap_or_default();
                Establishment {
                    siret: sirets[e].take().expect("each id once"),
                    naf: f.naf,
                    postcode: f.postcode,
                    town: f.town,
                    workplace_commune: f.workplace_commune,
                    months: resolution
                        .months
                        .get_mut(e)
                        .map(std::mem::take)
                        .unwrap_or_default(),
                }
            })
            .collect();
        let m0 = establishments
            .iter()
            .filter_map(|e| e.months.first())
            .min()
            .copied();
        let m1 = establishments
            .iter()
            .filter_map(|e| e.months.last())
            .max()
            .copied();
        Self {
            establishments,
            estab_index,
            resolution,
            identities,
            m0,
            m1,
        }
    }
}

type CKey = (u32, PersonKey, NaiveDate, u64);

#[derive(Default)]
struct KeyAcc {
    sex: Option<(Rank, Sex)>,
    birth: Option<(Rank, NaiveDate)>,
}

/// Observations of one contract, folded as they come: earliest (month,
/// nature), month range, flags, latest planned end, every event.
#[derive(Default)]
struct Acc {
    first: Option<(Month, u8)>,
    months: Option<(Month, Month)>,
    ever_cdi: bool,
    boeth: bool,
    aided: bool,
    alternance: bool,
    planned: Option<(Month, Option<NaiveDate>)>,
    events: Vec<(Rank, EventKind)>,
}

impl Acc {
    /// `m = Month::MAX` for a signalement (no declared month).
    fn observe(&mut self, m: Month, v: &ContractObs) {
        if self.first.is_none_or(|f| (m, v.nature) < f) {
            self.first = Some((m, v.nature));
        }
        if m != Month::MAX {
            self.months = Some(match self.months {
                Some((a, b)) => (a.min(m), b.max(m)),
                None => (m, m),
            });
        }
        self.ever_cdi |= NatureGroup::of(v.nature) == NatureGroup::Cdi;
        self.boeth |= v.boeth;
        self.aided |= v.complement || v.dispositif.is_some_and(|d| AIDED_DISPOSITIFS.contains(&d));
        self.alternance |= v
            .dispositif
            .is_some_and(|d| ALTERNANCE_DISPOSITIFS.contains(&d));
        if self.planned.is_none_or(|p| (m, v.planned_end) > p) {
            self.planned = Some((m, v.planned_end));
        }
    }
}

/// Folds the observations of one group of persons into contracts.
pub struct Builder<'a> {
    ctx: &'a Context,
    keys: HashMap<PersonKey, KeyAcc>,
    used: HashSet<PersonKey>,
    accs: HashMap<CKey, Acc>,
    signals: Vec<(CKey, u64, u64, ContractObs)>,
}

impl<'a> Builder<'a> {
    pub fn new(ctx: &'a Context) -> Self {
        Self {
            ctx,
            keys: HashMap::default(),
            used: HashSet::new(),
            accs: HashMap::default(),
            signals: Vec::new(),
        }
    }

    /// One individual of one declaration (any order).
    pub fn add(&mut self, h: &GroupHeader, ind: IndividualObs) {
        let rank: Rank = (h.month.unwrap_or(Month::MIN), h.order, h.fp);
        let ka = self.keys.entry(ind.key).or_default();
        if let Some(sex) = ind.sex {
            if ka.sex.is_none_or(|(r, _)| rank > r) {
                ka.sex = Some((rank, sex));
            }
        }
        if let Some(b) = ind.birth {
            if ka.birth.is_none_or(|(r, _)| rank > r) {
                ka.birth = Some((rank, b));
            }
        }
        let root = self.ctx.identities.root(&ind.key);
        let estab = self.ctx.estab_index[h.estab as usize];
        if !h.monthly {
            // Signalements only complete contracts known from monthly
            // declarations: applied once all of those are in.
            for c in ind.contracts {
                self.signals
                    .push(((estab, root, c.start, c.number), h.order, h.fp, c));
            }
            return;
        }
        if !self.ctx.resolution.kept(h.decl) {
            return;
        }
        let m = h.month.expect("monthly declarations have a month");
        if !ind.contracts.is_empty() {
            self.used.insert(root);
        }
        for c in ind.contracts {
            let acc = self
                .accs
                .entry((estab, root, c.start, c.number))
                .or_default();
            acc.observe(m, &c);
            for e in c.events {
                acc.events.push(((e.month, h.order, h.fp), e.kind));
            }
        }
    }

    /// The group's dataset. `establishments` is the context's list, lent to
    /// the dataset (take it back from [`Dataset::establishments`]).
    pub fn finish(self, establishments: Vec<Establishment>) -> Dataset {
        let Builder {
            ctx,
            keys,
            used,
            mut accs,
            signals,
        } = self;
        // Persons: roots with a contract in a kept monthly declaration;
        // attributes merged over the class (latest rank, then larger value).
        type Attrs = (Option<(Rank, Sex)>, Option<(Rank, NaiveDate)>);
        let mut merged: HashMap<PersonKey, Attrs> = HashMap::default();
        for (k, acc) in &keys {
            let r = ctx.identities.root(k);
            if !used.contains(&r) {
                continue;
            }
            let e = merged.entry(r).or_default();
            if let Some(s) = acc.sex {
                if e.0
                    .is_none_or(|cur| (s.0, s.1 as u8) > (cur.0, cur.1 as u8))
                {
                    e.0 = Some(s);
                }
            }
            if let Some(b) = acc.birth {
                if e.1.is_none_or(|cur| b > cur) {
                    e.1 = Some(b);
                }
            }
        }
        let mut roots: Vec<PersonKey> = used.into_iter().collect();
        roots.sort();
        let mut person_index: HashMap<PersonKey, u32> = HashMap::default();
        let persons: Vec<Person> = roots
            .iter()
            .enumerate()
            .map(|(i, r)| {
                person_index.insert(*r, i as u32);
                let (sex, birth) = merged.get(r).copied().unwrap_or_default();
                Person {
                    key: *r,
                    sex: sex.map(|s| s.1),
                    birth: birth.map(|b| b.1),
                }
            })
            .collect();
        for (key, order, fp, c) in signals {
            if !person_index.contains_key(&key.1) {
                continue;
            }
            if let Some(acc) = accs.get_mut(&key) {
                acc.observe(Month::MAX, &c);
                for e in c.events {
                    acc.events.push(((e.month, order, fp), e.kind));
                }
            }
        }
        let mut ckeys: Vec<CKey> = accs.keys().copied().collect();
        ckeys.sort();
        let contracts = ckeys
            .into_iter()
            .map(|k| {
                let acc = accs.remove(&k).expect("key listed");
                contract(k, acc, person_index[&k.1], &establishments)
            })
            .collect();
        Dataset {
            m0: ctx.m0,
            m1: ctx.m1,
            establishments,
            persons,
            contracts,
            stats: Default::default(),
        }
    }
}

fn contract(key: CKey, acc: Acc, person: u32, establishments: &[Establishment]) -> Contract {
    let (estab, _, start, number) = key;
    // Nature from the earliest observation (ties: smallest code).
    let first = acc.first.expect("contracts come from observations");
    let planned_end = acc.planned.and_then(|(_, p)| p);
    let first_month = acc.months.map(|(a, _)| a);
    let last_month = acc.months.map(|(_, b)| b);

    // Declared end: latest 62 block; 099 cancels.
    let end_ev = acc
        .events
        .iter()
        .filter_map(|(rank, kind)| match kind {
            EventKind::End { date, cancelled } => Some((*rank, *cancelled, *date)),
            _ => None,
        })
        .max();
    // An end before the start is a declaration error: ignored.
    let mut end = match end_ev {
        Some((_, false, date)) => date.filter(|d| *d >= start),
        _ => None,
    };
    let mut end_inferred = false;
    if end.is_none() {
        if let Some(l) = last_month {
            let later = establishments[estab as usize]
                .months
                .iter()
                .filter(|m| **m > l)
                .count();
            if later >= 3 {
                end = Some(month_last(l));
                end_inferred = true;
            }
        }
    }
    // Arrêts: one per last day worked, latest declaration wins, 99 cancels.
    let mut arr: HashMap<NaiveDate, (Rank, &Arret)> = HashMap::default();
    let mut sus: HashMap<NaiveDate, (Rank, &Suspension)> = HashMap::default();
    for (rank, kind) in &acc.events {
        match kind {
            EventKind::Arret(a) => {
                let slot = arr.entry(a.last_day_worked).or_insert((*rank, a));
                if (*rank, a.reason, a.resume, a.planned_end)
                    > (slot.0, slot.1.reason, slot.1.resume, slot.1.planned_end)
                {
                    *slot = (*rank, a);
                }
            }
            EventKind::Suspension(s) => {
                let slot = sus.entry(s.start).or_insert((*rank, s));
                if (*rank, s.reason, s.end) > (slot.0, slot.1.reason, slot.1.end) {
                    *slot = (*rank, s);
                }
            }
            EventKind::End { .. } => {}
        }
    }
    let mut arrets: Vec<Arret> = arr
        .into_values()
        .filter(|(_, a)| a.reason != 99)
        .map(|(_, a)| a.clone())
        .collect();
    arrets.sort_by_key(|a| a.last_day_worked);
    let mut invalidity: Vec<Suspension> = sus
        .into_values()
        .filter(|(_, s)| INVALIDITY_SUSPENSIONS.contains(&s.reason))
        .map(|(_, s)| s.clone())
        .collect();
    invalidity.sort_by_key(|s| s.start);
    Contract {
        establishment: estab,
        person,
        number_hash: number,
        start,
        nature: first.1,
        ever_cdi: acc.ever_cdi,
        boeth: acc.boeth,
        aided: acc.aided,
        alternance: acc.alternance,
        planned_end,
        first_month,
        last_month,
        end,
        end_inferred,
        arrets,
        invalidity,
    }
}

/// Where the observations are kept: the working store, or memory ([`crate::Ingest`]).
pub trait Source {
    type Error: From<DecodeError>;
    /// Normal buckets; the NTT bucket's number is this value.
    fn buckets(&self) -> u32;
    /// SIRET of each establishment id (position = id).
    fn establishments(&mut self) -> Result<Vec<String>, Self::Error>;
    /// Every monthly header, sorted by (establishment id, month), equal ones in insertion order.
    fn monthly(&mut self, f: &mut dyn FnMut(MonthlyHeader)) -> Result<(), Self::Error>;
    /// Every identity link (NTT key, NIR key).
    fn links(&mut self) -> Result<Vec<(PersonKey, PersonKey)>, Self::Error>;
    /// Encoded bytes in each bucket, the NTT bucket last.
    fn bucket_bytes(&mut self) -> Result<Vec<u64>, Self::Error>;
    /// The chunks of bucket `b`, in insertion order.
    fn chunks(
        &mut self,
        b: u32,
        f: &mut dyn FnMut(&[u8]) -> Result<(), DecodeError>,
    ) -> Result<(), Self::Error>;
}

/// Resolution, identities and establishments of a source.
pub fn context<S: Source>(src: &mut S) -> Result<Context, S::Error> {
    let sirets = src.establishments()?;
    let mut resolver = Resolver::new(sirets.len());
    src.monthly(&mut |h| resolver.push(h))?;
    let identities = Identities::new(&src.links()?);
    Ok(Context::new(sirets, resolver.finish(), identities))
}

/// The whole source as one dataset (one partition holding every person).
pub fn dataset<S: Source>(src: &mut S) -> Result<Dataset, S::Error> {
    let mut ctx = context(src)?;
    let establishments = std::mem::take(&mut ctx.establishments);
    let mut b = Builder::new(&ctx);
    for bucket in 0..=src.buckets() {
        src.chunks(bucket, &mut |bytes| {
            Decoder::new(bytes).for_each(|h, ind| b.add(h, ind))
        })?;
    }
    let mut ds = b.finish(establishments);
    ds.stats.monthly_replaced = ctx.resolution.replaced;
    Ok(ds)
}

/// What [`indicators`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionReport {
    pub groups: usize,
    /// Encoded bytes of the largest group.
    pub largest_group_bytes: u64,
    /// Observations moved to their root's group by the pre-pass.
    pub moved: u64,
    pub replaced: u64,
}

/// Indicators of every establishment (sorted by SIRET), computed one group of
/// buckets at a time, each group holding at most `max_group_bytes` of
/// encoded observations (or one bucket).
pub fn indicators<S: Source>(
    src: &mut S,
    max_group_bytes: u64,
) -> Result<(Vec<EstablishmentIndicators>, PartitionReport), S::Error> {
    let mut ctx = context(src)?;
    let mut report = PartitionReport {
        replaced: ctx.resolution.replaced,
        ..Default::default()
    };
    let probe = Dataset {
        m0: ctx.m0,
        m1: ctx.m1,
        ..Default::default()
    };
    let Some(period) = Period::of(&probe) else {
        return Ok((Vec::new(), report));
    };
    let nb = src.buckets();
    let sizes = src.bucket_bytes()?;
    // Contiguous groups of normal buckets.
    let mut groups: Vec<(u32, u32, u64)> = Vec::new();
    for b in 0..nb {
        let s = sizes.get(b as usize).copied().unwrap_or(0);
        match groups.last_mut() {
            Some(g) if g.2 + s <= max_group_bytes => {
                g.1 = b + 1;
                g.2 += s;
            }
            _ => groups.push((b, b + 1, s)),
        }
    }
    let mut group_of = vec![0usize; nb as usize];
    for (g, (lo, hi, _)) in groups.iter().enumerate() {
        for b in *lo..*hi {
            group_of[b as usize] = g;
        }
    }
    let ids = &ctx.identities;
    let target = |k: &PersonKey| group_of[bucket_of(&ids.root(k), nb) as usize];
    // NIR keys stored in another group than their root's.
    let moved_nirs: HashSet<PersonKey> = ids
        .non_root_nirs()
        .filter(|(k, r)| group_of[bucket_of(k, nb) as usize] != target(r))
        .map(|(k, _)| *k)
        .collect();
    let mut sources: Vec<u32> = moved_nirs.iter().map(|k| bucket_of(k, nb)).collect();
    sources.sort_unstable();
    sources.dedup();
    sources.push(nb);
    // Pre-pass: re-encode moved observations into their target group.
    let mut stash: Vec<Vec<u8>> = vec![Vec::new(); groups.len()];
    for &b in &sources {
        src.chunks(b, &mut |bytes| {
            Decoder::new(bytes).for_each(|h, ind| {
                if b == nb || moved_nirs.contains(&ind.key) {
                    encode_group(&mut stash[target(&ind.key)], h, &ind);
                    report.moved += 1;
                }
            })
        })?;
    }
    let mut establishments = std::mem::take(&mut ctx.establishments);
    let mut acc: Vec<Partial> = vec![Partial::default(); establishments.len()];
    report.groups = groups.len();
    for (g, (lo, hi, bytes)) in groups.iter().enumerate() {
        report.largest_group_bytes = report.largest_group_bytes.max(*bytes);
        let mut builder = Builder::new(&ctx);
        let moved = std::mem::take(&mut stash[g]);
        Decoder::new(&moved).for_each(|h, ind| builder.add(h, ind))?;
        drop(moved);
        for b in *lo..*hi {
            src.chunks(b, &mut |bytes| {
                Decoder::new(bytes).for_each(|h, ind| {
                    if !moved_nirs.contains(&ind.key) {
                        builder.add(h, ind);
                    }
                })
            })?;
        }
        let ds = builder.finish(establishments);
        for (a, p) in acc.iter_mut().zip(partials(&ds, &period)) {
            a.merge(&p);
        }
        establishments = ds.establishments;
    }
    let out = acc
        .iter()
        .zip(&establishments)
        .map(|(p, e)| p.finish(e))
        .collect();
    Ok((out, report))
}
