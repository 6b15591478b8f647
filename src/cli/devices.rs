//! `lotstation devices`: the scanners, scales and printers this machine can see, with the
//! path to put in the config; `lotstation devices record`: raw reports or frames from one
//! device into a fixture file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Subcommand, ValueEnum};

/// USB vendors whose scanners, scale cables and printers a station meets.
const KNOWN_VENDORS: &[(&str, &str)] = &[
    ("05e0", "Symbol/Zebra scanner"),
    ("0c2e", "Honeywell (Metrologic) scanner"),
    ("0536", "Honeywell (Hand Held) scanner"),
    ("05f9", "Datalogic (PSC) scanner"),
    ("080c", "Datalogic scanner"),
    ("065a", "Opticon scanner"),
    ("1eab", "Newland scanner"),
    ("0a5f", "Zebra printer"),
    ("1203", "TSC printer"),
    ("04f9", "Brother printer"),
    ("0403", "FTDI serial cable"),
    ("1a86", "CH340 serial cable"),
    ("067b", "Prolific serial cable"),
    ("10c4", "Silicon Labs serial cable"),
    ("0eb8", "Mettler Toledo"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordKind {
    Evdev,
    Hidraw,
    Serial,
}

#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Dump raw events, reports or bytes from one device to a fixture file (hex, one per line)
    Record {
        #[arg(value_enum)]
        kind: RecordKind,
        /// the device node (/dev/input/eventN, /dev/hidrawN, /dev/ttyUSBN)
        path: PathBuf,
        /// stop after this many seconds
        #[arg(long, default_value_t = 15)]
        seconds: u64,
        /// serial line speed
        #[arg(long, default_value_t = 9600)]
        baud: u32,
        #[arg(short = 'o', long)]
        output: Option<PathBuf>,
    },
}

fn vendor_note(vendor: &str) -> &'static str {
    KNOWN_VENDORS
        .iter()
        .find(|(v, _)| v.eq_ignore_ascii_case(vendor))
        .map(|(_, n)| *n)
        .unwrap_or("")
}

/// `by-id` links pointing at a device node.
fn stable_names(dir: &str, node: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| std::fs::canonicalize(e.path()).ok().as_deref() == Some(node))
        .map(|e| e.path().display().to_string())
        .collect()
}

/// The path to put in the config for a device node: its `/dev/lotstation/` link (the udev
/// rules make those, stable across replugs), else a `by-id` link, else the node itself.
fn best_path(by_id: &str, node: &Path) -> (String, Vec<String>) {
    let mut ours = stable_names("/dev/lotstation", node);
    // a link with the device's serial before the plain "newest one" link
    ours.sort_by_key(|name| (!name.contains('-'), name.clone()));
    let mut all = ours;
    all.extend(stable_names(by_id, node));
    match all.first() {
        Some(first) => (first.clone(), all[1..].to_vec()),
        None => (node.display().to_string(), Vec::new()),
    }
}

/// A config block to copy, indented under the device it is for, and other names it has.
fn suggest(
    out: &mut impl Write,
    table: &str,
    lines: &[String],
    others: &[String],
) -> std::io::Result<()> {
    writeln!(out, "      [[{table}]]")?;
    for line in lines {
        writeln!(out, "      {line}")?;
    }
    for other in others {
        writeln!(out, "      # also: path = \"{other}\"")?;
    }
    Ok(())
}

pub fn list() -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "What this machine can see, each with the lines to copy into /etc/lotstation/lotstation.toml\n\
         (give each its own name, and name it in a [[bench]]'s scanners, scale or printer).\n"
    )?;
    writeln!(out, "Serial ports (scales, serial scanners):")?;
    match serialport::available_ports() {
        Ok(ports) if !ports.is_empty() => {
            for (n, port) in ports.iter().enumerate() {
                let detail = match &port.port_type {
                    serialport::SerialPortType::UsbPort(usb) => {
                        let vendor = format!("{:04x}", usb.vid);
                        format!(
                            "USB {vendor}:{:04x} {} {} {}",
                            usb.pid,
                            usb.manufacturer.as_deref().unwrap_or(""),
                            usb.product.as_deref().unwrap_or(""),
                            vendor_note(&vendor)
                        )
                    }
                    other => format!("{other:?}"),
                };
                writeln!(out, "  {}  {}", port.port_name, detail.trim())?;
                // the machine's own serial ports are not scales: suggest USB ones only
                if !matches!(port.port_type, serialport::SerialPortType::UsbPort(_)) {
                    continue;
                }
                let (path, others) = best_path("/dev/serial/by-id", Path::new(&port.port_name));
                suggest(
                    &mut out,
                    "scale",
                    &[
                        format!("name = \"scale-{}\"", n + 1),
                        format!("path = \"{path}\""),
                        "protocol = \"mt-sics\"   # or toledo-8217, toledo-continuous, a-and-d, cas: see the scale's manual".into(),
                        "baud = 9600".into(),
                    ],
                    &others,
                )?;
            }
        }
        Ok(_) => writeln!(out, "  none")?,
        Err(e) => writeln!(out, "  cannot list: {e}")?,
    }
    writeln!(out, "\nKeyboard-wedge scanners (evdev):")?;
    let input = std::fs::read_to_string("/proc/bus/input/devices").unwrap_or_default();
    let mut found = 0;
    for block in input.split("\n\n") {
        let field = |prefix: &str| {
            block
                .lines()
                .find(|l| l.starts_with(prefix))
                .map(|l| l[prefix.len()..].to_string())
        };
        let name = field("N: Name=")
            .unwrap_or_default()
            .trim_matches('"')
            .to_string();
        let ids = field("I: ").unwrap_or_default();
        let vendor = ids
            .split_whitespace()
            .find_map(|w| w.strip_prefix("Vendor="))
            .unwrap_or("")
            .to_string();
        let handlers = field("H: Handlers=").unwrap_or_default();
        let Some(event) = handlers.split_whitespace().find(|h| h.starts_with("event")) else {
            continue;
        };
        let lower = name.to_lowercase();
        let likely = ["barcode", "scanner", "reader"]
            .iter()
            .any(|w| lower.contains(w))
            || !vendor_note(&vendor).is_empty();
        if !likely || !handlers.contains("kbd") {
            continue;
        }
        found += 1;
        let node = format!("/dev/input/{event}");
        writeln!(
            out,
            "  {node}  {name} (vendor {vendor}) {}",
            vendor_note(&vendor)
        )?;
        let (path, others) = best_path("/dev/input/by-id", Path::new(&node));
        suggest(
            &mut out,
            "scanner",
            &[
                format!("name = \"scanner-{found}\""),
                "kind = \"evdev\"".into(),
                format!("path = \"{path}\""),
                "layout = \"us\"   # the keyboard layout the scanner types in: us, de or fr".into(),
            ],
            &others,
        )?;
    }
    if found == 0 {
        writeln!(
            out,
            "  none (a scanner shows up when its name says barcode/scanner/reader or its vendor is known)"
        )?;
    }
    writeln!(out, "\nHID POS scanners (hidraw, usage page 0x8C):")?;
    match hidapi::HidApi::new() {
        Ok(api) => {
            let mut any = 0;
            for device in api.device_list().filter(|d| d.usage_page() == 0x8C) {
                any += 1;
                let node = device.path().to_string_lossy().into_owned();
                writeln!(
                    out,
                    "  {node}  {:04x}:{:04x} {}",
                    device.vendor_id(),
                    device.product_id(),
                    device.product_string().unwrap_or("")
                )?;
                let (path, others) = best_path("/dev/hidraw-by-id", Path::new(&node));
                suggest(
                    &mut out,
                    "scanner",
                    &[
                        format!("name = \"pos-{any}\""),
                        "kind = \"hidraw\"".into(),
                        format!("path = \"{path}\""),
                    ],
                    &others,
                )?;
            }
            if any == 0 {
                writeln!(out, "  none")?;
            }
        }
        Err(e) => writeln!(out, "  cannot list: {e}")?,
    }
    writeln!(out, "\nUSB printers:")?;
    let mut any = 0;
    if let Ok(entries) = std::fs::read_dir("/dev/usb") {
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("lp") {
                continue;
            }
            any += 1;
            let id =
                std::fs::read_to_string(format!("/sys/class/usbmisc/{name}/device/ieee1284_id"))
                    .unwrap_or_default();
            let node = format!("/dev/usb/{name}");
            writeln!(out, "  {node}  {}", id.trim())?;
            let (path, others) = best_path("/dev/usb/by-id", Path::new(&node));
            let mut lines = vec![
                format!("name = \"printer-{any}\""),
                "kind = \"device\"".into(),
                format!("path = \"{path}\""),
            ];
            lines.extend(printer_language(&id).iter().map(|l| l.to_string()));
            suggest(&mut out, "printer", &lines, &others)?;
        }
    }
    if any == 0 {
        writeln!(
            out,
            "  none (network printers: kind = \"tcp\", address = \"host:9100\"; CUPS/IPP: kind = \"ipp\")"
        )?;
    }
    Ok(0)
}

pub fn record(command: DevicesCommand) -> anyhow::Result<i32> {
    let DevicesCommand::Record {
        kind,
        path,
        seconds,
        baud,
        output,
    } = command;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut lines: Vec<String> = Vec::new();
    match kind {
        RecordKind::Evdev => {
            let mut device = evdev::raw_stream::RawDevice::open(&path)?;
            device.grab()?;
            eprintln!("recording {} for {seconds} s: scan now", path.display());
            // fetch_events blocks: record until the time is up at the next event
            while Instant::now() < deadline {
                for e in device.fetch_events()? {
                    lines.push(format!("{} {} {}", e.event_type().0, e.code(), e.value()));
                }
            }
        }
        RecordKind::Hidraw => {
            let api = hidapi::HidApi::new()?;
            let device = api.open_path(&std::ffi::CString::new(path.display().to_string())?)?;
            eprintln!("recording {} for {seconds} s: scan now", path.display());
            let mut report = [0u8; 64];
            while Instant::now() < deadline {
                let n = device.read_timeout(&mut report, 200)?;
                if n > 0 {
                    lines.push(crate::core::hex(&report[..n]));
                }
            }
        }
        RecordKind::Serial => {
            let mut port = serialport::new(path.display().to_string(), baud)
                .timeout(Duration::from_millis(200))
                .open()?;
            eprintln!("recording {} for {seconds} s", path.display());
            let mut buffer = [0u8; 256];
            while Instant::now() < deadline {
                match port.read(&mut buffer) {
                    Ok(n) if n > 0 => lines.push(crate::core::hex(&buffer[..n])),
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let text = lines.join("\n") + "\n";
    match output {
        Some(file) => {
            std::fs::write(&file, text)?;
            eprintln!("{} lines in {}", lines.len(), file.display());
        }
        None => std::io::stdout().lock().write_all(text.as_bytes())?,
    }
    Ok(0)
}

/// The config lines a USB printer's IEEE 1284 device id suggests: its language, and the
/// resolution (and for a Brother QL its media) to check.
fn printer_language(id: &str) -> &'static [&'static str] {
    let command_set = id
        .split(';')
        .find_map(|f| {
            f.strip_prefix("CMD:")
                .or_else(|| f.strip_prefix("COMMAND SET:"))
        })
        .unwrap_or("");
    if id.contains("MDL:QL-") || command_set.contains("PT-CBP") {
        &[
            "language = \"brother-ql\"",
            "media = \"62\"   # the roll loaded: 62 (endless), 62x29 or 29x90",
        ]
    } else if command_set.contains("TSPL") {
        &[
            "language = \"tspl\"",
            "dpi = 203   # 300 for a 300 dpi model",
        ]
    } else if command_set.contains("ZPL") || id.contains("ZPL") {
        &[
            "language = \"zpl\"",
            "dpi = 203   # 300 for a 300 dpi model",
        ]
    } else {
        &[
            "language = \"zpl\"   # the printer's language: zpl, tspl, brother-ql, or pdf through CUPS (kind = \"ipp\")",
            "dpi = 203",
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::printer_language;

    #[test]
    fn a_printer_id_suggests_its_language() {
        let language = |id| printer_language(id)[0];
        assert_eq!(
            language("MFG:Brother;CMD:PT-CBP;MDL:QL-800;CLS:PRINTER;"),
            "language = \"brother-ql\""
        );
        assert_eq!(
            language("MFG:TSC;CMD:TSPL2;MDL:TE200;CLS:PRINTER;"),
            "language = \"tspl\""
        );
        assert_eq!(
            language("MFG:Zebra Technologies;CMD:ZPL;MDL:ZD421-203dpi ZPL;CLS:PRINTER;"),
            "language = \"zpl\""
        );
        assert!(language("").contains("the printer's language"));
    }
}
