//! Rows and targets from CSV files, on the `csv` crate.

use super::scale::parse;
use crate::error::Error;
use crate::network::Network;
use crate::real::Real;
use ::csv::{ErrorKind, ReaderBuilder, StringRecord, Trim};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// A CSV column, by header name (`"species"`) or 0-based index (`4`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// The column whose header is this name.
    Name(String),
    /// The column at this 0-based position.
    Index(usize),
}

impl From<&str> for Column {
    fn from(name: &str) -> Self {
        Self::Name(name.to_string())
    }
}

impl From<String> for Column {
    fn from(name: String) -> Self {
        Self::Name(name)
    }
}

impl From<usize> for Column {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

/// The class labels of a target column and their indices: label `labels()[i]` is
/// class `i`. Labels that are all integers are ordered by value (`2` before `10`),
/// others by their text, so the same labels always give the same indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classes {
    labels: Vec<String>,
}

impl Classes {
    /// Classes from their labels, in the order above; repeated labels count once.
    pub fn new<S: Into<String>>(labels: impl IntoIterator<Item = S>) -> Self {
        let mut labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        if labels.iter().all(|l| l.parse::<i64>().is_ok()) {
            labels.sort_by_key(|l| (l.parse::<i64>().unwrap_or_default(), l.clone()));
        } else {
            labels.sort();
        }
        labels.dedup();
        Self { labels }
    }

    /// The labels, class 0 first.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The class of a label.
    pub fn index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    /// The label of a class, e.g. of a network's prediction.
    pub fn label(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(String::as_str)
    }

    /// The number of classes.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    fn list(&self) -> String {
        self.labels.join(", ")
    }
}

/// What [`Csv::read`] and [`Csv::rows`] give: one input row and one target per data
/// line, in file order, and the classes when the targets were read as labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<I, Y> {
    /// The feature columns of each line.
    pub inputs: Vec<I>,
    /// The target of each line.
    pub targets: Vec<Y>,
    /// The label of each class index, after [`Csv::classes`] or [`Csv::with_classes`].
    pub classes: Option<Classes>,
}

mod sealed {
    pub trait Sealed {}
    impl<T, const K: usize> Sealed for [T; K] {}
    impl Sealed for usize {}
}

/// A target a CSV line can give: `[T; K]` (K numbers from K columns, or a class
/// label as a one-hot row, or as 0/1 when `K` is 1) and `usize` (a class index, or
/// a class label's index).
pub trait CsvTarget<T: Real>: sealed::Sealed + Copy {
    /// The columns a numeric target takes.
    #[doc(hidden)]
    const COLUMNS: usize;
    /// How many classes the type can hold.
    #[doc(hidden)]
    const CLASSES: usize;
    /// The target from its columns' fields, or the position of the field that is
    /// not a number and what it should be.
    #[doc(hidden)]
    fn parse(fields: &[&str]) -> Result<Self, (usize, &'static str)>;
    /// The target of class `index` (below [`CsvTarget::CLASSES`]).
    #[doc(hidden)]
    fn class(index: usize) -> Self;
}

impl<T: Real, const K: usize> CsvTarget<T> for [T; K] {
    const COLUMNS: usize = K;
    const CLASSES: usize = if K == 1 { 2 } else { K };

    fn parse(fields: &[&str]) -> Result<Self, (usize, &'static str)> {
        let mut out = [T::ZERO; K];
        for (k, (o, f)) in out.iter_mut().zip(fields).enumerate() {
            *o = parse::<T>(f)
                .filter(|v| v.finite())
                .ok_or((k, "a finite number (read class labels with `classes()`)"))?;
        }
        Ok(out)
    }

    fn class(index: usize) -> Self {
        if K == 1 {
            return core::array::from_fn(|_| T::of(index as f64));
        }
        core::array::from_fn(|k| if k == index { T::ONE } else { T::ZERO })
    }
}

impl<T: Real> CsvTarget<T> for usize {
    const COLUMNS: usize = 1;
    const CLASSES: usize = usize::MAX;

    fn parse(fields: &[&str]) -> Result<Self, (usize, &'static str)> {
        fields[0].parse().map_err(|_| {
            (
                0,
                "a class index 0, 1, 2, ... (read other labels with `classes()`)",
            )
        })
    }

    fn class(index: usize) -> Self {
        index
    }
}

/// How the target column is read.
#[derive(Clone, Debug)]
enum Labels {
    /// As numbers (`[T; K]`) or class indices (`usize`).
    Numbers,
    /// As class labels, the classes taken from the file.
    Learn,
    /// As class labels of known classes.
    Known(Classes),
}

/// A CSV reader for a network's rows and targets: choose the columns, then
/// [`Csv::read`] for a network type or [`Csv::rows`] for explicit widths.
///
/// By default the first line is a header, fields are comma-separated and trimmed,
/// the target is the last column (the last `K` for a `[T; K]` target) and every other
/// column is a feature, in file order.
///
/// ```
/// use mlp_core::data::Csv;
/// let text = "sepal,petal,species\n5.1,1.4,setosa\n6.3,6.0,virginica\n5.0,1.5,setosa\n";
/// let data = Csv::from_reader(text.as_bytes())
///     .target("species")
///     .classes()
///     .rows::<f32, 2, usize>()?;
/// assert_eq!(data.inputs, [[5.1, 1.4], [6.3, 6.0], [5.0, 1.5]]);
/// assert_eq!(data.targets, [0, 1, 0]);
/// assert_eq!(data.classes.unwrap().labels(), ["setosa", "virginica"]);
/// # Ok::<(), mlp_core::Error>(())
/// ```
///
/// Every error names the file, the line, the column (index and header name) and the
/// field; nothing is returned but the error then.
#[derive(Debug)]
pub struct Csv<R> {
    reader: R,
    file: String,
    header: bool,
    delimiter: u8,
    features: Option<Vec<Column>>,
    targets: Option<Vec<Column>>,
    labels: Labels,
}

impl Csv<File> {
    /// A reader of the file at `path`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file cannot be opened.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            source: e.into(),
        })?;
        let mut csv = Self::from_reader(file);
        csv.file = path.display().to_string();
        Ok(csv)
    }
}

impl<R: Read> Csv<R> {
    /// A reader of CSV text from `reader` (named `reader` in errors).
    pub fn from_reader(reader: R) -> Self {
        Self {
            reader,
            file: "reader".to_string(),
            header: true,
            delimiter: b',',
            features: None,
            targets: None,
            labels: Labels::Numbers,
        }
    }

    /// Whether the first line is a header (the default) or already data; without
    /// one, columns are chosen by index.
    #[must_use]
    pub fn has_header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// The field separator, `b','` by default (`b';'`, `b'\t'`, ...).
    #[must_use]
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// The one target column.
    #[must_use]
    pub fn target(self, column: impl Into<Column>) -> Self {
        self.targets([column])
    }

    /// The target columns of a `[T; K]` target, in order.
    #[must_use]
    pub fn targets<C: Into<Column>>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        self.targets = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// The feature columns, in the order of the network's inputs (by default every
    /// column that is not a target).
    #[must_use]
    pub fn features<C: Into<Column>>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        self.features = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Reads the target column as class labels (integers or any text), numbered as
    /// [`Classes`] orders them; [`Dataset::classes`] holds the mapping.
    #[must_use]
    pub fn classes(mut self) -> Self {
        self.labels = Labels::Learn;
        self
    }

    /// Reads the target column as labels of `classes`, e.g. a test file with the
    /// classes of its training file; a label not among them is an error.
    #[must_use]
    pub fn with_classes(mut self, classes: &Classes) -> Self {
        self.labels = Labels::Known(classes.clone());
        self
    }

    /// Inputs and targets for network `N`: `N::INPUTS` feature columns and its
    /// target (a class label holds at most `N::OUTPUTS` classes).
    ///
    /// # Errors
    ///
    /// Those of [`Csv::rows`].
    pub fn read<N: Network>(self) -> Result<Dataset<N::Input, N::Target>, Error>
    where
        N::Target: CsvTarget<N::Scalar>,
    {
        let capacity = <N::Target as CsvTarget<N::Scalar>>::CLASSES.min(N::OUTPUTS.max(2));
        self.read_rows(N::INPUTS, capacity)
    }

    /// Rows of `N` features of scalar `T` and targets `Y`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] and [`Error::CsvMalformed`] when the text cannot be read,
    /// [`Error::CsvEmpty`] without data lines, [`Error::CsvUnknownColumn`] for a
    /// column that is not there, [`Error::CsvColumnCount`] when the columns do not
    /// give `N` features or the target, [`Error::CsvRowWidth`] for a line of
    /// another number of fields, [`Error::CsvMissingValue`] for an empty field,
    /// [`Error::CsvValue`] for one that is not a finite number or class index,
    /// [`Error::CsvUnseenClass`] for a label not among the classes given, and
    /// [`Error::CsvClassCount`] for more classes than the target holds.
    pub fn rows<T: Real, const N: usize, Y: CsvTarget<T>>(
        self,
    ) -> Result<Dataset<[T; N], Y>, Error> {
        self.read_rows(N, Y::CLASSES)
    }

    fn read_rows<T, I, Y>(self, width: usize, capacity: usize) -> Result<Dataset<I, Y>, Error>
    where
        T: Real,
        I: for<'a> TryFrom<&'a [T]>,
        Y: CsvTarget<T>,
    {
        let file = self.file;
        let fail = |e: ::csv::Error| csv_error(&file, e);
        let mut reader = ReaderBuilder::new()
            .has_headers(self.header)
            .delimiter(self.delimiter)
            .trim(Trim::All)
            .from_reader(self.reader);
        let names: Vec<String> = if self.header {
            reader
                .headers()
                .map_err(fail)?
                .iter()
                .map(String::from)
                .collect()
        } else {
            Vec::new()
        };
        let mut records = reader.records();
        let first = records
            .next()
            .transpose()
            .map_err(fail)?
            .ok_or_else(|| Error::CsvEmpty { file: file.clone() })?;
        let columns = Columns::new(&file, &names, first.len());
        let learning = !matches!(self.labels, Labels::Numbers);
        let target_width = if learning { 1 } else { Y::COLUMNS };
        let targets = match self.targets {
            Some(chosen) => columns.resolve(&chosen)?,
            None => (first.len().saturating_sub(target_width)..first.len()).collect(),
        };
        let features = match self.features {
            Some(chosen) => columns.resolve(&chosen)?,
            None => (0..first.len()).filter(|c| !targets.contains(c)).collect(),
        };
        columns.check_count("feature", "features", &features, width)?;
        columns.check_count("target", "target", &targets, target_width)?;
        if let Labels::Known(classes) = &self.labels {
            columns.check_classes(classes, capacity)?;
        }

        let mut inputs = Vec::new();
        let mut parsed = Vec::new();
        let mut labels = Vec::new();
        let mut row = vec![T::ZERO; width];
        for record in core::iter::once(Ok(first)).chain(records) {
            let record = record.map_err(fail)?;
            let line = record.position().map_or(0, ::csv::Position::line);
            let field = |c: usize| columns.field(&record, line, c);
            for (x, &c) in row.iter_mut().zip(&features) {
                let text = field(c)?;
                *x = parse::<T>(text)
                    .filter(|v| v.finite())
                    .ok_or_else(|| columns.value(line, c, text, "a finite number"))?;
            }
            inputs.push(
                I::try_from(&row)
                    .map_err(|_| columns.count_error("feature", "features", &features, width))?,
            );
            let fields = targets
                .iter()
                .map(|&c| field(c))
                .collect::<Result<Vec<_>, _>>()?;
            match &self.labels {
                Labels::Numbers => parsed.push(Y::parse(&fields).map_err(|(k, expected)| {
                    columns.value(line, targets[k], fields[k], expected)
                })?),
                Labels::Learn => labels.push(fields[0].to_string()),
                Labels::Known(classes) => {
                    let index = classes
                        .index(fields[0])
                        .ok_or_else(|| Error::CsvUnseenClass {
                            file: file.clone(),
                            line,
                            column: targets[0],
                            name: columns.name(targets[0]),
                            value: fields[0].to_string(),
                            known: classes.list(),
                        })?;
                    parsed.push(Y::class(index));
                }
            }
        }
        let classes = match self.labels {
            Labels::Numbers => None,
            Labels::Known(classes) => Some(classes),
            Labels::Learn => {
                let classes = Classes::new(labels.iter().map(String::as_str));
                columns.check_classes(&classes, capacity)?;
                let index: BTreeMap<&str, usize> = classes
                    .labels()
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.as_str(), i))
                    .collect();
                parsed = labels.iter().map(|l| Y::class(index[l.as_str()])).collect();
                Some(classes)
            }
        };
        Ok(Dataset {
            inputs,
            targets: parsed,
            classes,
        })
    }
}

/// The columns of one file, for choosing them and naming them in errors.
struct Columns<'a> {
    file: &'a str,
    names: &'a [String],
    count: usize,
}

impl<'a> Columns<'a> {
    fn new(file: &'a str, names: &'a [String], count: usize) -> Self {
        Self { file, names, count }
    }

    fn name(&self, column: usize) -> String {
        self.names.get(column).cloned().unwrap_or_default()
    }

    fn resolve(&self, chosen: &[Column]) -> Result<Vec<usize>, Error> {
        chosen
            .iter()
            .map(|c| {
                let found = match c {
                    Column::Name(name) => self.names.iter().position(|n| n == name),
                    Column::Index(i) => Some(*i).filter(|&i| i < self.count),
                };
                found.ok_or_else(|| self.unknown(c))
            })
            .collect()
    }

    fn unknown(&self, column: &Column) -> Error {
        let (column, available) = match column {
            Column::Name(name) if self.names.is_empty() => (
                format!("`{name}`"),
                format!(
                    "the file is read without a header, so choose columns by index (0 to {})",
                    self.count.saturating_sub(1)
                ),
            ),
            Column::Name(name) => (
                format!("`{name}`"),
                format!("the header has {}", self.names.join(", ")),
            ),
            Column::Index(i) => (
                i.to_string(),
                format!(
                    "the file has {} columns (0 to {})",
                    self.count,
                    self.count.saturating_sub(1)
                ),
            ),
        };
        Error::CsvUnknownColumn {
            file: self.file.to_string(),
            column,
            available,
        }
    }

    fn count_error(
        &self,
        what: &'static str,
        method: &'static str,
        columns: &[usize],
        expected: usize,
    ) -> Error {
        let list: Vec<String> = columns
            .iter()
            .map(|&c| match self.names.get(c) {
                Some(n) => format!("{c} {n}"),
                None => c.to_string(),
            })
            .collect();
        Error::CsvColumnCount {
            file: self.file.to_string(),
            what,
            columns: list.join(", "),
            expected,
            found: columns.len(),
            method,
        }
    }

    fn check_count(
        &self,
        what: &'static str,
        method: &'static str,
        columns: &[usize],
        expected: usize,
    ) -> Result<(), Error> {
        if columns.len() == expected {
            return Ok(());
        }
        Err(self.count_error(what, method, columns, expected))
    }

    fn check_classes(&self, classes: &Classes, capacity: usize) -> Result<(), Error> {
        if classes.len() <= capacity {
            return Ok(());
        }
        Err(Error::CsvClassCount {
            file: self.file.to_string(),
            found: classes.len(),
            known: classes.list(),
            capacity,
        })
    }

    fn field<'r>(
        &self,
        record: &'r StringRecord,
        line: u64,
        column: usize,
    ) -> Result<&'r str, Error> {
        match record.get(column) {
            Some(text) if !text.is_empty() => Ok(text),
            _ => Err(Error::CsvMissingValue {
                file: self.file.to_string(),
                line,
                column,
                name: self.name(column),
            }),
        }
    }

    fn value(&self, line: u64, column: usize, text: &str, expected: &'static str) -> Error {
        Error::CsvValue {
            file: self.file.to_string(),
            line,
            column,
            name: self.name(column),
            value: text.to_string(),
            expected,
        }
    }
}

fn csv_error(file: &str, e: ::csv::Error) -> Error {
    let line = e.position().map_or(0, ::csv::Position::line);
    let message = e.to_string();
    match e.into_kind() {
        ErrorKind::Io(source) => Error::Io {
            path: file.to_string(),
            source: source.into(),
        },
        ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Error::CsvRowWidth {
            file: file.to_string(),
            line: pos.map_or(line, |p| p.line()),
            expected: expected_len as usize,
            found: len as usize,
        },
        _ => Error::CsvMalformed {
            file: file.to_string(),
            line,
            message,
        },
    }
}
