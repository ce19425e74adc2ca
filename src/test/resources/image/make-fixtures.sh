#!/usr/bin/env bash
# Regenerates the image fixtures the JDK cannot write itself. Needs ImageMagick
# (apt-get install imagemagick); the tests only read the files this writes.
set -euo pipefail
cd "$(dirname "$0")"
# 32x16: left half pure red, right half pure blue, stored as a CMYK JPEG (Adobe APP14).
/usr/bin/convert -size 16x16 xc:'#ff0000' -size 16x16 xc:'#0000ff' +append \
    -colorspace CMYK -quality 95 cmyk.jpg
# 6x4 black GIF (palette) with a red pixel at (2,1) and a blue one at (5,3).
/usr/bin/convert -size 6x4 xc:black -fill '#ff0000' -draw 'point 2,1' \
    -fill '#0000ff' -draw 'point 5,3' palette.gif
