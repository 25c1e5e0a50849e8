//! Pictures for the examples of this package: PNG files drawn in memory by
//! plotters' bitmap backend, with text set in the bundled DejaVu Sans
//! (`font/DejaVuSans.ttf`, licence in `font/LICENSE-DejaVuSans.txt`), so drawing
//! needs no system library.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::element::{DashedPathElement, DottedPathElement};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::Once;

pub use plotters::chart::SeriesLabelPosition;
pub use plotters::style::RGBColor;

/// What drawing returns.
pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

const FONT: &str = "sans-serif";

/// Colours that are easy to tell apart (and, in this order, apart for the
/// colour-blind): blue, orange, green, red, purple, brown, pink, grey.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The directory pictures go to, `target/examples-output` under the current
/// directory, created when missing.
pub fn output_dir() -> Result<PathBuf> {
    let dir = PathBuf::from("target").join("examples-output");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Makes the bundled font the one plotters draws `"sans-serif"` text with.
fn register_font() -> Result<()> {
    static ONCE: Once = Once::new();
    let mut result = Ok(());
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../font/DejaVuSans.ttf");
        if plotters::style::register_font(FONT, FontStyle::Normal, bytes).is_err() {
            result = Err("the bundled DejaVuSans.ttf is not a font plotters can read".into());
        }
    });
    result
}

/// A white canvas of `width` x `height` pixels that writes `path` when presented.
fn canvas(path: &Path, width: u32, height: u32) -> Result<DrawingArea<BitMapBackend<'_>, Shift>> {
    register_font()?;
    let root = BitMapBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE)?;
    Ok(root)
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug)]
pub enum Mark {
    /// A line through the points, this many pixels wide.
    Line(u32),
    /// A dashed line, this many pixels wide.
    Dashed(u32),
    /// A line of dots of this radius, a few pixels apart.
    Dotted(u32),
    /// A filled dot of this radius at each point.
    Dot(u32),
    /// A cross of this half-size at each point.
    Cross(u32),
}

/// Named points drawn one way.
#[derive(Clone, Debug)]
pub struct Series {
    /// The name in the legend.
    pub label: String,
    /// Its colour.
    pub color: RGBColor,
    /// How it is drawn.
    pub mark: Mark,
    /// The points, (x, y).
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A line `width` pixels wide.
    pub fn line(label: &str, color: RGBColor, width: u32, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.to_string(),
            color,
            mark: Mark::Line(width),
            points,
        }
    }

    /// Dots of radius `radius`.
    pub fn dots(label: &str, color: RGBColor, radius: u32, points: Vec<(f64, f64)>) -> Self {
        Self {
            label: label.to_string(),
            color,
            mark: Mark::Dot(radius),
            points,
        }
    }

    /// Any other mark.
    pub fn with_mark(mut self, mark: Mark) -> Self {
        self.mark = mark;
        self
    }
}

/// The y axis of a chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Evenly spaced values.
    Linear,
    /// Evenly spaced powers of ten (every y must be above 0).
    Log,
}

/// One chart: a caption, axis names and its series.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Above the chart.
    pub caption: String,
    /// Under the x axis.
    pub x_label: String,
    /// Beside the y axis.
    pub y_label: String,
    /// The series, drawn in order (later ones on top).
    pub series: Vec<Series>,
    /// Values the y axis reaches besides the data's (room for the legend).
    pub include_y: Vec<f64>,
    /// Where the legend goes.
    pub legend: SeriesLabelPosition,
}

impl Panel {
    /// A panel with its legend at the upper right.
    pub fn new(caption: &str, x_label: &str, y_label: &str, series: Vec<Series>) -> Self {
        Self {
            caption: caption.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            series,
            include_y: vec![],
            legend: SeriesLabelPosition::UpperRight,
        }
    }

    /// Makes the y axis reach `y`.
    pub fn include_y(mut self, y: f64) -> Self {
        self.include_y.push(y);
        self
    }

    /// Moves the legend.
    pub fn legend_at(mut self, position: SeriesLabelPosition) -> Self {
        self.legend = position;
        self
    }
}

/// Draws `panels` side by side under `title` into the PNG file `path`, every panel
/// over the same ranges (the data's, with a margin) so that they compare at a
/// glance.
pub fn charts(
    path: &Path,
    title: &str,
    size: (u32, u32),
    scale: Scale,
    panels: &[Panel],
) -> Result<()> {
    let points = || {
        panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| &s.points)
    };
    let (x_min, x_max) = bounds(points().map(|p| p.0));
    let extra = panels.iter().flat_map(|p| p.include_y.iter().copied());
    let (y_min, y_max) = bounds(points().map(|p| p.1).chain(extra));
    if scale == Scale::Log && y_min <= 0.0 {
        return Err(format!("a log scale needs values above 0, found {y_min}").into());
    }
    let x_range = x_min..x_max;
    let root = canvas(path, size.0, size.1)?;
    let root = root.titled(title, (FONT, 26))?;
    let areas = root.split_evenly((1, panels.len().max(1)));
    for (area, panel) in areas.iter().zip(panels) {
        match scale {
            Scale::Linear => {
                let pad = 0.05 * (y_max - y_min).max(1e-12);
                let y = y_min - pad..y_max + pad;
                draw_panel(area, panel, x_range.clone(), y.clone(), y.end - y.start)?;
            }
            Scale::Log => {
                // Whole powers of ten around the data, so the ticks are 10^k.
                let low = 10f64.powf(y_min.log10().floor());
                let high = 10f64.powf(y_max.log10().ceil());
                draw_panel(area, panel, x_range.clone(), (low..high).log_scale(), 0.0)?;
            }
        }
    }
    root.present()?;
    Ok(())
}

/// One chart of `panel` over the ranges `x` and `y`; `y_span` is the extent of a
/// linear `y`, 0 for a log scale (whose ticks are powers of ten, never near zero).
fn draw_panel<Y>(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    panel: &Panel,
    x: std::ops::Range<f64>,
    y: Y,
    y_span: f64,
) -> Result<()>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.caption, (FONT, 20))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d::<std::ops::Range<f64>, Y>(x.clone(), y)?;
    chart
        .configure_mesh()
        .x_desc(&panel.x_label)
        .y_desc(&panel.y_label)
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 14))
        .x_label_formatter(&|v| linear_tick(*v, x.end - x.start))
        .y_label_formatter(&|v| linear_tick(*v, y_span))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()?;
    for series in &panel.series {
        draw_series(&mut chart, series)?;
    }
    if panel.series.iter().any(|s| !s.label.is_empty()) {
        chart
            .configure_series_labels()
            .position(panel.legend.clone())
            .label_font((FONT, 15))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()?;
    }
    Ok(())
}

/// Draws `series` on `chart` with a legend entry when it has a label.
fn draw_series<'a, Y>(
    chart: &mut ChartContext<'a, BitMapBackend<'a>, Cartesian2d<RangedCoordf64, Y>>,
    series: &Series,
) -> Result<()>
where
    Y: Ranged<ValueType = f64>,
{
    let color = series.color;
    let points = series.points.iter().copied();
    let drawn = match series.mark {
        Mark::Line(width) => {
            chart.draw_series(LineSeries::new(points, color.stroke_width(width)))?
        }
        Mark::Dashed(width) => chart.draw_series(DashedLineSeries::new(
            points,
            8,
            5,
            color.stroke_width(width),
        ))?,
        Mark::Dotted(radius) => chart.draw_series(DottedLineSeries::new(
            points,
            0,
            3 * radius as i32 + 2,
            move |p| Circle::new(p, radius, color.filled()),
        ))?,
        Mark::Dot(radius) => {
            chart.draw_series(points.map(|p| Circle::new(p, radius, color.mix(0.75).filled())))?
        }
        Mark::Cross(size) => {
            chart.draw_series(points.map(|p| Cross::new(p, size, color.stroke_width(3))))?
        }
    };
    if !series.label.is_empty() {
        let mark = series.mark;
        drawn
            .label(&series.label)
            .legend(move |(x, y)| legend_mark(mark, color, x, y));
    }
    Ok(())
}

/// The little picture of a series in the legend.
fn legend_mark<DB: DrawingBackend>(
    mark: Mark,
    color: RGBColor,
    x: i32,
    y: i32,
) -> DynElement<'static, DB, (i32, i32)> {
    match mark {
        Mark::Line(width) => {
            PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(width.max(2))).into_dyn()
        }
        // Shorter dashes than on the chart, so that two of them show.
        Mark::Dashed(width) => DashedPathElement::new(
            vec![(x, y), (x + 20, y)],
            7,
            6,
            color.stroke_width(width.max(2)),
        )
        .into_dyn(),
        Mark::Dotted(radius) => DottedPathElement::new(
            vec![(x, y), (x + 20, y)],
            0,
            3 * radius as i32 + 2,
            move |p| Circle::new(p, radius, color.filled()),
        )
        .into_dyn(),
        Mark::Dot(radius) => Circle::new((x + 10, y), radius.max(3), color.filled()).into_dyn(),
        Mark::Cross(size) => Cross::new((x + 10, y), size, color.stroke_width(3)).into_dyn(),
    }
}

/// A tick label: at most four decimals, without trailing zeros.
pub fn tick(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-3 {
        return format!("{v:e}");
    }
    let text = format!("{v:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A tick label on a linear axis of extent `span`, rounded to the ticks' spacing.
/// Plotters places about ten ticks and reaches them by adding steps, so a tick
/// carries the residue of the sums (zero comes out as -5.55e-17, 0.3 as
/// 0.30000000000000004): printed with one decimal more than a tenth of the span
/// needs, every tick reads as the round number it stands for, and ticks close
/// together on a short axis stay apart.
pub fn linear_tick(v: f64, span: f64) -> String {
    if !(span.is_finite() && span > 0.0) {
        return tick(v);
    }
    let decimals = (1.0 - (span / 10.0).log10().floor()).clamp(0.0, 15.0) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    // A residue just below zero rounds to "-0".
    if text.trim_start_matches('-') == "0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// The smallest and largest finite value.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if low > high {
        (0.0, 1.0)
    } else if low == high {
        (low - 0.5, high + 0.5)
    } else {
        (low, high)
    }
}

/// A point marked on a map: where it is, its colour, and a text drawn beside it.
#[derive(Clone, Debug)]
pub struct Marker {
    /// Where, in data coordinates.
    pub at: (f64, f64),
    /// The fill.
    pub color: RGBColor,
    /// Drawn to the right of the point.
    pub text: String,
}

/// A square map of `value(x, y)` (expected in [0, 1]) over `range` x `range`:
/// blue for 0, white for 0.5, red for 1, the 0.5 level drawn as a black line,
/// the `markers` on top and a colour bar at the side.
pub fn probability_map(
    path: &Path,
    title: &str,
    range: std::ops::Range<f64>,
    cells: usize,
    value: impl Fn(f64, f64) -> f64,
    markers: &[Marker],
) -> Result<()> {
    let canvas_root = canvas(path, 760, 640)?;
    let root = canvas_root.titled(title, (FONT, 24))?;
    let (map_area, bar_area) = root.split_horizontally(640);
    let mut chart = ChartBuilder::on(&map_area)
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(55)
        .build_cartesian_2d(range.clone(), range.clone())?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("x1")
        .y_desc("x2")
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 14))
        .x_label_formatter(&|v| linear_tick(*v, range.end - range.start))
        .y_label_formatter(&|v| linear_tick(*v, range.end - range.start))
        .draw()?;

    let step = (range.end - range.start) / cells as f64;
    let at = |i: usize| range.start + step * i as f64;
    // Values at the cell corners, row by row (j is y).
    let grid: Vec<Vec<f64>> = (0..=cells)
        .map(|j| (0..=cells).map(|i| value(at(i), at(j))).collect())
        .collect();
    chart.draw_series(
        (0..cells)
            .flat_map(|j| (0..cells).map(move |i| (i, j)))
            .map(|(i, j)| {
                let mean =
                    (grid[j][i] + grid[j][i + 1] + grid[j + 1][i] + grid[j + 1][i + 1]) / 4.0;
                Rectangle::new(
                    [(at(i), at(j)), (at(i + 1), at(j + 1))],
                    diverging(mean).filled(),
                )
            }),
    )?;
    for segment in level_segments(&grid, 0.5) {
        let to_data = |(i, j): (f64, f64)| (range.start + step * i, range.start + step * j);
        chart.draw_series(std::iter::once(PathElement::new(
            vec![to_data(segment.0), to_data(segment.1)],
            BLACK.stroke_width(2),
        )))?;
    }
    // Markers and their texts in pixels, each text on a white box so that it
    // reads on any colour.
    let style = (FONT, 17).into_font().color(&BLACK);
    for m in markers {
        let (x, y) = chart.backend_coord(&m.at);
        canvas_root.draw(&Circle::new((x, y), 13, BLACK.filled()))?;
        canvas_root.draw(&Circle::new((x, y), 11, WHITE.filled()))?;
        canvas_root.draw(&Circle::new((x, y), 8, m.color.filled()))?;
        let (w, h) = canvas_root.estimate_text_size(&m.text, &style)?;
        let (left, top) = (x + 18, y - 26);
        let (w, h) = (w as i32, h as i32);
        canvas_root.draw(&Rectangle::new(
            [(left - 4, top - 3), (left + w + 4, top + h + 5)],
            WHITE.mix(0.85).filled(),
        ))?;
        canvas_root.draw(&Text::new(m.text.clone(), (left, top), style.clone()))?;
    }

    // The colour bar: 0 at the bottom, 1 at the top.
    let mut bar = ChartBuilder::on(&bar_area)
        .margin_top(12)
        .margin_bottom(57)
        .margin_right(45)
        .y_label_area_size(0)
        .right_y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)?;
    bar.configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .label_style((FONT, 14))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    let levels = 100;
    bar.draw_series((0..levels).map(|k| {
        let (low, high) = (k as f64 / levels as f64, (k + 1) as f64 / levels as f64);
        Rectangle::new(
            [(0.0, low), (1.0, high)],
            diverging((low + high) / 2.0).filled(),
        )
    }))?;
    bar.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.5), (1.0, 0.5)],
        BLACK.stroke_width(2),
    )))?;
    root.present()?;
    Ok(())
}

/// A square map of `counts` (row `t`, column `p`: how many rows of class `t` were
/// predicted as `p`), a confusion matrix: each cell shaded by its share of its row,
/// with its count written in it, true classes down the side (0 at the top) and
/// predicted classes along the bottom.
pub fn confusion_map(path: &Path, title: &str, counts: &[Vec<f64>]) -> Result<()> {
    let n = counts.len();
    if n == 0 || counts.iter().any(|row| row.len() != n) {
        return Err(format!(
            "a confusion matrix is square; found {n} rows of lengths {:?}",
            counts.iter().map(Vec::len).collect::<Vec<_>>()
        )
        .into());
    }
    let canvas_root = canvas(path, 700, 680)?;
    let root = canvas_root.titled(title, (FONT, 24))?;
    let range = -0.5..n as f64 - 0.5;
    let mut chart = ChartBuilder::on(&root)
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(60)
        .build_cartesian_2d(range.clone(), range)?;
    // Row t is drawn at y = n - 1 - t, so that class 0 is at the top.
    let class = move |v: f64| {
        let k = v.round();
        if (v - k).abs() < 1e-6 && (0.0..n as f64).contains(&k) {
            Some(k as usize)
        } else {
            None
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(n)
        .y_labels(n)
        .x_desc("predicted class")
        .y_desc("true class")
        .axis_desc_style((FONT, 16))
        .label_style((FONT, 15))
        .x_label_formatter(&|v| class(*v).map_or_else(String::new, |k| k.to_string()))
        .y_label_formatter(&|v| class(*v).map_or_else(String::new, |k| (n - 1 - k).to_string()))
        .draw()?;
    for (t, row) in counts.iter().enumerate() {
        let total: f64 = row.iter().sum();
        let y = (n - 1 - t) as f64;
        for (p, &count) in row.iter().enumerate() {
            let share = if total > 0.0 { count / total } else { 0.0 };
            let x = p as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                shade(share).filled(),
            )))?;
            if count > 0.0 {
                // Light text on the dark cells of a large share.
                let color = if share > 0.5 { WHITE } else { BLACK };
                let style = (FONT, 16).into_font().color(&color);
                let label = format!("{count}");
                // In pixels of the whole canvas, where backend coordinates are.
                let (w, h) = canvas_root.estimate_text_size(&label, &style)?;
                let (cx, cy) = chart.backend_coord(&(x, y));
                canvas_root.draw(&Text::new(
                    label,
                    (cx - w as i32 / 2, cy - h as i32 / 2),
                    style,
                ))?;
            }
        }
    }
    root.present()?;
    Ok(())
}

/// A table of numbers read from a CSV file with a header line.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The header's names, one per column.
    pub columns: Vec<String>,
    /// The rows, each as wide as the header.
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    /// Reads the CSV text `csv` from the file `name` (for messages): a header line,
    /// then rows of numbers (`NaN` allowed) as wide as the header; blank lines are
    /// skipped.
    pub fn parse(name: &str, csv: &str) -> Result<Self> {
        let mut lines = csv
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or_else(|| format!("{name} is empty"))?;
        let columns: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
        let mut rows = vec![];
        for (index, line) in lines {
            let values: Vec<&str> = line.split(',').map(str::trim).collect();
            if values.len() != columns.len() {
                return Err(format!(
                    "{name}, line {}: {} values, expected {} ({})",
                    index + 1,
                    values.len(),
                    columns.len(),
                    columns.join(", ")
                )
                .into());
            }
            let row = values
                .iter()
                .zip(&columns)
                .map(|(text, column)| {
                    text.parse::<f64>().map_err(|_| {
                        format!(
                            "{name}, line {}, column {column}: {text:?} is not a number",
                            index + 1
                        )
                    })
                })
                .collect::<std::result::Result<Vec<f64>, String>>()?;
            rows.push(row);
        }
        Ok(Self { columns, rows })
    }

    /// Reads the file at `path` with [`Table::parse`].
    pub fn read(path: &Path) -> Result<Self> {
        let csv = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&path.display().to_string(), &csv)
    }

    /// The values of the column named `name`, top to bottom.
    pub fn column(&self, name: &str) -> Result<Vec<f64>> {
        let i = self
            .columns
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| format!("no column {name:?}; the columns are {:?}", self.columns))?;
        Ok(self.rows.iter().map(|row| row[i]).collect())
    }
}

/// White (0) to dark blue (1), for shares.
fn shade(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let mix = |a: f64, b: f64| (a + (b - a) * v).round() as u8;
    RGBColor(mix(247.0, 8.0), mix(251.0, 48.0), mix(255.0, 107.0))
}

/// Blue (0) through white (0.5) to red (1).
pub fn diverging(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let (blue, white, red) = (
        (33.0, 102.0, 172.0),
        (247.0, 247.0, 247.0),
        (178.0, 24.0, 43.0),
    );
    let (from, to, t) = if v < 0.5 {
        (blue, white, v * 2.0)
    } else {
        (white, red, v * 2.0 - 1.0)
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}

/// A colour from dark purple (0) through teal to yellow (1), for ordered series.
pub fn sequential(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (220.0, 200.0, 30.0),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let k = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The segments where `grid` (rows are y, columns x) crosses `level`, by marching
/// squares, in grid coordinates (column, row).
fn level_segments(grid: &[Vec<f64>], level: f64) -> Vec<((f64, f64), (f64, f64))> {
    let mut segments = vec![];
    for j in 0..grid.len().saturating_sub(1) {
        for i in 0..grid[j].len().saturating_sub(1) {
            // Corners counter-clockwise from (i, j), and the edges between them.
            let corners = [
                ((i as f64, j as f64), grid[j][i]),
                (((i + 1) as f64, j as f64), grid[j][i + 1]),
                (((i + 1) as f64, (j + 1) as f64), grid[j + 1][i + 1]),
                ((i as f64, (j + 1) as f64), grid[j + 1][i]),
            ];
            let mut crossings = vec![];
            for k in 0..4 {
                let ((a, va), (b, vb)) = (corners[k], corners[(k + 1) % 4]);
                if (va < level) != (vb < level) {
                    let t = (level - va) / (vb - va);
                    crossings.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
                }
            }
            for pair in crossings.chunks_exact(2) {
                segments.push((pair[0], pair[1]));
            }
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::{Table, linear_tick, tick};

    #[test]
    fn a_table_reads_its_columns_by_name() {
        let table = Table::parse("t.csv", "epoch,loss\n1,0.5\n\n2,NaN\n").unwrap();
        assert_eq!(table.column("epoch").unwrap(), [1.0, 2.0]);
        assert!(table.column("loss").unwrap()[1].is_nan());
        let missing = table.column("accuracy").unwrap_err().to_string();
        assert_eq!(
            missing,
            r#"no column "accuracy"; the columns are ["epoch", "loss"]"#
        );
    }

    #[test]
    fn a_bad_table_names_the_file_line_and_value() {
        let short = Table::parse("t.csv", "epoch,loss\n1,0.5\n2\n").unwrap_err();
        assert_eq!(
            short.to_string(),
            "t.csv, line 3: 1 values, expected 2 (epoch, loss)"
        );
        let word = Table::parse("t.csv", "epoch,loss\n1,low\n").unwrap_err();
        assert_eq!(
            word.to_string(),
            r#"t.csv, line 2, column loss: "low" is not a number"#
        );
        assert_eq!(
            Table::parse("t.csv", "\n").unwrap_err().to_string(),
            "t.csv is empty"
        );
    }

    #[test]
    fn a_tick_at_zero_reads_zero() {
        // Zero reached from -0.5 by steps of 0.1, as plotters lays out its ticks.
        let zero = (0..5).fold(-0.5f64, |v, _| v + 0.1);
        assert_ne!(zero, 0.0);
        assert_eq!(linear_tick(zero, 2.0), "0");
        assert_eq!(linear_tick(-zero, 2.0), "0");
        assert_eq!(linear_tick(0.2, 2.0), "0.2");
        assert_eq!(linear_tick(-0.4, 2.0), "-0.4");
        // A log axis keeps its small ticks.
        assert_eq!(tick(1e-5), "1e-5");
    }

    #[test]
    fn ticks_are_rounded_to_their_spacing() {
        // The xor map's axis, [-0.5, 1.5], in plotters' steps of 0.25 and 0.1.
        let quarters: Vec<String> = (0..=8)
            .scan(-0.5f64, |v, _| {
                let t = *v;
                *v += 0.25;
                Some(linear_tick(t, 2.0))
            })
            .collect();
        assert_eq!(
            quarters,
            [
                "-0.5", "-0.25", "0", "0.25", "0.5", "0.75", "1", "1.25", "1.5"
            ]
        );
        assert_eq!(linear_tick(0.1 + 0.2, 2.0), "0.3");
        // A short axis keeps its ticks apart: four decimals would print "1" for all.
        let close: Vec<String> = [1.000002, 1.000004, 1.000006]
            .iter()
            .map(|&v| linear_tick(v, 1e-5))
            .collect();
        assert_eq!(close, ["1.000002", "1.000004", "1.000006"]);
        // A long axis prints whole numbers, keeping their zeros.
        assert_eq!(linear_tick(500.0, 1000.0), "500");
        assert_eq!(linear_tick(1250.0000000002, 2000.0), "1250");
        assert_eq!(linear_tick(-20.0, 100.0), "-20");
    }
}
