//! Serial scales: one thread per scale opens the port (a USB-serial cable, a CDC-ACM scale
//! or a pseudo-terminal in tests), polls it if its protocol wants polling, decodes frames
//! and sends readings as events. A scale that vanishes or stops answering is reported lost
//! and reopened until it is back; nothing crashes.

use std::io::{Read, Write};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::config::{Framing, ScaleConfig};
use crate::decode::scale::{Protocol, Reading, ScaleDecoder};
use crate::events::Event;

/// What the daemon may ask of a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleCommand {
    Tare,
    Zero,
}

/// A polled scale that has not answered for this long is reported lost.
const SILENCE: Duration = Duration::from_secs(3);
/// Pause between attempts to reopen a lost scale.
const REOPEN: Duration = Duration::from_millis(500);

/// Starts the scale's thread; returns the channel for tare and zero.
pub fn spawn(
    config: ScaleConfig,
    events: mpsc::Sender<Event>,
) -> std::io::Result<std_mpsc::Sender<ScaleCommand>> {
    let (tx, rx) = std_mpsc::channel();
    std::thread::Builder::new()
        .name(format!("scale-{}", config.name))
        .spawn(move || run(config, rx, events))?;
    Ok(tx)
}

fn framing(config: &ScaleConfig) -> (serialport::DataBits, serialport::Parity) {
    let default = if config.protocol == Protocol::Toledo8217 {
        Framing::SevenEven1
    } else {
        Framing::EightNone1
    };
    match config.framing.unwrap_or(default) {
        Framing::SevenEven1 => (serialport::DataBits::Seven, serialport::Parity::Even),
        Framing::SevenOdd1 => (serialport::DataBits::Seven, serialport::Parity::Odd),
        Framing::EightNone1 => (serialport::DataBits::Eight, serialport::Parity::None),
    }
}

fn run(
    config: ScaleConfig,
    commands: std_mpsc::Receiver<ScaleCommand>,
    events: mpsc::Sender<Event>,
) {
    let span = tracing::info_span!("scale", name = %config.name, path = %config.path);
    let _enter = span.enter();
    let unit = config.unit.unit();
    let mut up: Option<bool> = None;
    let state = |up_now: bool, detail: String, up: &mut Option<bool>| -> bool {
        if *up == Some(up_now) {
            return true;
        }
        *up = Some(up_now);
        if up_now {
            tracing::info!(%detail, "scale connected");
        } else {
            tracing::warn!(%detail, "scale lost");
        }
        events
            .blocking_send(Event::DeviceState {
                device: config.name.clone(),
                up: up_now,
                detail,
            })
            .is_ok()
    };
    loop {
        let (data_bits, parity) = framing(&config);
        let opened = serialport::new(&config.path, config.baud)
            .data_bits(data_bits)
            .parity(parity)
            .stop_bits(serialport::StopBits::One)
            .timeout(Duration::from_millis(100))
            .open();
        let mut port = match opened {
            Ok(port) => port,
            Err(e) => {
                if !state(false, format!("cannot open {}: {e}", config.path), &mut up) {
                    return;
                }
                std::thread::sleep(REOPEN);
                continue;
            }
        };
        let mut decoder = ScaleDecoder::new(config.protocol, unit);
        let mut last_reading = Instant::now();
        let mut last_poll: Option<Instant> = None;
        let mut buffer = [0u8; 256];
        let mut answered = false;
        let lost = loop {
            let mut failed = None;
            for command in commands.try_iter() {
                let bytes = match command {
                    ScaleCommand::Tare => config.protocol.tare(),
                    ScaleCommand::Zero => config.protocol.zero(),
                };
                match bytes {
                    Some(bytes) => {
                        if let Err(e) = port.write_all(bytes) {
                            failed = Some(format!("writing to {}: {e}", config.path));
                            break;
                        }
                    }
                    None => {
                        tracing::warn!(?command, protocol = ?config.protocol, "this scale cannot be told to do that; use its own key")
                    }
                }
            }
            if let Some(reason) = failed {
                break reason;
            }
            if let Some(poll) = config.protocol.poll()
                && last_poll.is_none_or(|t| t.elapsed() >= Duration::from_millis(config.poll_ms))
            {
                last_poll = Some(Instant::now());
                if let Err(e) = port.write_all(poll) {
                    break format!("writing to {}: {e}", config.path);
                }
            }
            match port.read(&mut buffer) {
                Ok(0) => break format!("{} closed", config.path),
                Ok(n) => {
                    let readings: Vec<Reading> = decoder.push(&buffer[..n]);
                    if !readings.is_empty() {
                        last_reading = Instant::now();
                        if !answered {
                            answered = true;
                            if !state(true, format!("{} answering", config.path), &mut up) {
                                return;
                            }
                        }
                    }
                    for reading in readings {
                        if events
                            .blocking_send(Event::ScaleReading {
                                scale: config.name.clone(),
                                reading,
                            })
                            .is_err()
                        {
                            return;
                        }
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => break format!("reading {}: {e} (unplugged?)", config.path),
            }
            if last_reading.elapsed() > SILENCE {
                if answered || up != Some(false) {
                    answered = false;
                    if !state(
                        false,
                        format!(
                            "{} is not answering (switched off, or wrong protocol or speed?)",
                            config.path
                        ),
                        &mut up,
                    ) {
                        return;
                    }
                }
                last_reading = Instant::now();
            }
        };
        if !state(false, lost, &mut up) {
            return;
        }
        drop(port);
        std::thread::sleep(REOPEN);
    }
}
