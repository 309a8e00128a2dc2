#!/usr/bin/env bash
# Render a .docx to PDF (LibreOffice headless) and to PNG pages (pdftoppm -r 60), with the
# official 公文 font names mapped to free fonts by templates/fontconfig/report-kit-fonts.conf.
#
#   templates/preview.sh report.docx [more.docx …] OUTDIR
#
# Writes OUTDIR/<name>.pdf and OUTDIR/<name>-<page>.png for every file, and prints the fonts
# embedded in the PDFs (pdffonts) so a silent fallback to a wrong face is visible. Several
# files are converted by one LibreOffice start (≈ 2 s saved per file; the tests use this).
# Needs: libreoffice (soffice), poppler-utils, fonts-noto-cjk, fonts-arphic-ukai.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 report.docx [more.docx ...] OUTDIR" >&2
    exit 2
fi

outdir=${!#}
sources=("${@:1:$#-1}")
for src in "${sources[@]}"; do
    [[ -f $src ]] || { echo "$0: no such file: $src" >&2; exit 2; }
done
for tool in soffice pdftoppm; do
    command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
alias_conf=$here/fontconfig/report-kit-fonts.conf
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
absolute=()
for src in "${sources[@]}"; do
    absolute+=("$(cd "$(dirname "$src")" && pwd)/$(basename "$src")")
done

# Private fontconfig file and LibreOffice profile: no change to the system or the user's
# profile, and concurrent previews do not fight over one profile lock.
work=$(mktemp -d "${TMPDIR:-/tmp}/report-kit-preview.XXXXXX")
trap 'rm -rf "$work"' EXIT
system_conf=/etc/fonts/fonts.conf
[[ -n ${FONTCONFIG_SYSTEM_CONF:-} ]] && system_conf=$FONTCONFIG_SYSTEM_CONF
cat >"$work/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">$system_conf</include>
  <include>$alias_conf</include>
  <cachedir>$work/fc-cache</cachedir>
</fontconfig>
CONF

export FONTCONFIG_FILE=$work/fonts.conf
soffice --headless --norestore --nolockcheck \
    "-env:UserInstallation=file://$work/lo-profile" \
    --convert-to pdf --outdir "$work" "${absolute[@]}" >"$work/soffice.log" 2>&1 || {
    cat "$work/soffice.log" >&2
    exit 1
}
for src in "${sources[@]}"; do
    name=$(basename "${src%.*}")
    pdf=$work/$name.pdf
    [[ -f $pdf ]] || { echo "$0: LibreOffice wrote no PDF for $src" >&2; cat "$work/soffice.log" >&2; exit 1; }
    mv "$pdf" "$outdir/$name.pdf"
    rm -f "$outdir/$name"-*.png
    pdftoppm -r 60 -png "$outdir/$name.pdf" "$outdir/$name"
    echo "$outdir/$name.pdf"
    ls "$outdir/$name"-*.png
    if command -v pdffonts >/dev/null; then
        pdffonts "$outdir/$name.pdf" | awk 'NR > 2 { print "font: " $1 }' | sort -u
    fi
done
