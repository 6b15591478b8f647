"""A video for Chromium's fake camera (--use-file-for-fake-video-capture) made from label
PNGs: for each PNG:FORMAT given, the symbol of that format on the label is found by zxing-cpp
(an independent decoder) and held in the middle of the picture for two seconds, with a
second of white between symbols. Prints, one JSON line per symbol, what a scanner with AIM
identifiers on would send for it (symbology identifier + text, GS1's FNC1 as GS).
A symbol given as `gs1=(01)…(10)…:DataMatrix` is a supplier's GS1 symbol that zxing-cpp's
writer makes (a lot before the expiry, so a GS separates them).
Usage: python camera_video.py OUT.y4m LABEL.png:Code128 LABEL.png:DataMatrix ..."""

import json
import sys

import zxingcpp
from PIL import Image

WIDTH, HEIGHT, FPS = 640, 480, 5
HOLD, GAP = 2 * FPS, 1 * FPS

out, wanted = sys.argv[1], sys.argv[2:]
frames = []
white = Image.new("L", (WIDTH, HEIGHT), 255)
frames += [white] * GAP
for spec in wanted:
    path, fmt = spec.rsplit(":", 1)
    if path.startswith("gs1="):
        import numpy
        symbol = zxingcpp.create_barcode(path[4:], getattr(zxingcpp.BarcodeFormat, fmt), gs1=True)
        picture = Image.fromarray(numpy.asarray(zxingcpp.write_barcode_to_image(symbol, scale=4)))
        label = Image.new("L", (picture.width + 40, picture.height + 40), 255)
        label.paste(picture.convert("L"), (20, 20))
    else:
        label = Image.open(path).convert("L")
    found = [r for r in zxingcpp.read_barcodes(label, text_mode=zxingcpp.TextMode.Plain)
             if r.format.name == fmt]
    if not found:
        sys.exit(f"no {fmt} on {path}")
    r = found[0]
    p = r.position
    points = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
    cx = sum(q.x for q in points) / 4
    cy = sum(q.y for q in points) / 4
    frame = white.copy()
    frame.paste(label, (round(WIDTH / 2 - cx), round(HEIGHT / 2 - cy)))
    frames += [frame] * HOLD + [white] * GAP
    print(json.dumps({"format": fmt, "scan": r.symbology_identifier + r.text}))

with open(out, "wb") as f:
    f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    for frame in frames:
        f.write(b"FRAME\n")
        f.write(frame.tobytes())
        f.write(chroma)
        f.write(chroma)
