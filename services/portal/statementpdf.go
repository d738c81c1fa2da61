package portal

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// The PDFs of "Mijn specificaties": a month's specificatie and a year overview, for the
// resident to download and keep. They use fpdf's core font (Helvetica), whose code
// page is cp1252: every text goes through fpdf's translator, so ë, é and € print.

// pdfDoc is a PDF being written, with the translator of its code page.
type pdfDoc struct {
	f  *fpdf.Fpdf
	tr func(string) string
	// width is the width between the margins.
	width float64
}

// newPDF starts a PDF on A4 (orientation "P" or "L") with footer lines on every page
// and the page number.
func newPDF(orientation, title string, footer []string, page string) *pdfDoc {
	f := fpdf.New(orientation, "mm", "A4", "")
	d := &pdfDoc{f: f, tr: f.UnicodeTranslatorFromDescriptor("")}
	f.SetMargins(15, 15, 15)
	f.SetAutoPageBreak(true, 15+4*float64(len(footer)+1))
	w, _ := f.GetPageSize()
	d.width = w - 30
	f.SetTitle(title, true)
	f.SetCreator("Plein", true)
	f.AliasNbPages("")
	f.SetFooterFunc(func() {
		f.SetY(-(12 + 4*float64(len(footer)+1)))
		f.SetFont("Helvetica", "", 7)
		f.SetTextColor(60, 60, 60)
		for _, l := range footer {
			f.MultiCell(d.width, 3.5, d.tr(l), "", "L", false)
		}
		f.CellFormat(d.width, 4, d.tr(fmt.Sprintf("%s %d/{nb}", page, f.PageNo())), "", 1, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	f.AddPage()
	return d
}

// heading writes a heading of size pt.
func (d *pdfDoc) heading(s string, pt float64) {
	d.f.SetFont("Helvetica", "B", pt)
	d.f.MultiCell(d.width, pt*0.5, d.tr(s), "", "L", false)
	d.f.Ln(1.5)
}

// text writes a paragraph.
func (d *pdfDoc) text(s string, pt float64) {
	d.f.SetFont("Helvetica", "", pt)
	d.f.MultiCell(d.width, pt*0.45, d.tr(s), "", "L", false)
	d.f.Ln(1)
}

// row writes one row of cells of the widths (in parts of the width); a width
// whose text starts with "\t" is right-aligned (an amount). bold for headers and
// totals. Cells wrap; the row is as high as its highest cell.
func (d *pdfDoc) row(widths []float64, cells []string, bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	d.f.SetFont("Helvetica", style, 9)
	const lh = 4.5
	lines := 1
	for i, c := range cells {
		if n := len(d.f.SplitText(d.tr(strings.TrimPrefix(c, "\t")), widths[i]*d.width-2)); n > lines {
			lines = n
		}
	}
	h := float64(lines)*lh + 1
	_, pageH := d.f.GetPageSize()
	_, _, _, bottom := d.f.GetMargins()
	if d.f.GetY()+h > pageH-bottom {
		d.f.AddPage()
	}
	x, y := d.f.GetX(), d.f.GetY()
	for i, c := range cells {
		align := "L"
		if strings.HasPrefix(c, "\t") {
			align, c = "R", c[1:]
		}
		w := widths[i] * d.width
		d.f.SetXY(x, y)
		d.f.MultiCell(w, lh, d.tr(c), "", align, false)
		x += w
	}
	d.f.SetXY(15, y+h)
	d.f.Line(15, y+h-0.5, 15+d.width, y+h-0.5)
}

// bytes ends the document.
func (d *pdfDoc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("portal: pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// who writes the gemeente and the resident under a PDF's title.
func (d *pdfDoc) who(T specTexts, gemeente, resident string) {
	d.row([]float64{0.3, 0.7}, []string{T.Gemeente, gemeente}, false)
	d.row([]float64{0.3, 0.7}, []string{T.Resident, resident}, false)
	d.f.Ln(3)
}

// monthPDF is the specificatie of view as a PDF: the same figures as its page.
func monthPDF(v *visit, view specView) ([]byte, error) {
	T, M := v.pg.T.Spec, v.pg.T.Month
	var footer []string
	if len(view.Receipt) > 0 {
		footer = append(footer, T.ReceiptTitle+". "+T.ReceiptWords)
		var parts []string
		for _, r := range view.Receipt {
			parts = append(parts, r.Label+": "+r.Value)
		}
		footer = append(footer, strings.Join(parts, " · "))
	}
	d := newPDF("P", view.Heading+" — "+view.Gemeente, footer, T.Page)
	d.heading(view.Heading, 16)
	d.who(T, view.Gemeente, view.Resident)
	paid := T.YouGot + " " + view.Paid
	if view.PayDate != "" {
		paid += " — " + T.On + " " + view.PayDate
	} else if !view.NothingPaid {
		paid += " — " + T.DateUnknown
	}
	d.heading(paid, 12)
	if view.Uncomputed {
		d.text(T.Uncomputed, 10)
	}
	if view.Held != "" {
		d.heading(T.HoldTitle+": "+view.Held, 11)
		d.text(view.HoldText, 10)
	}
	cols := []float64{0.3, 0.17, 0.53}
	switch {
	case len(view.Lines) > 0:
		d.heading(M.TableCaption, 12)
		d.row(cols, []string{M.ColWhat, "\t" + M.ColAmount, T.ColArticle}, true)
		for _, l := range view.Lines {
			d.row(cols, []string{l.Label, "\t" + l.Amount, strings.Join(l.Articles, "; ")}, l.Total)
		}
	case len(view.Stored) > 0:
		d.heading(T.StoredCaption, 12)
		d.text(view.NotVerified, 10)
		for _, l := range view.Stored {
			d.row(cols[:2], []string{l.Label, "\t" + l.Amount}, l.Total)
		}
	}
	for _, l := range view.Extra {
		d.row(cols, []string{l.Label, "\t" + l.Amount, strings.Join(l.Why, " ")}, false)
	}
	if len(view.Deductions) > 0 {
		d.f.Ln(3)
		d.heading(T.DeductionsTitle, 12)
		dc := []float64{0.4, 0.35, 0.25}
		d.row(dc, []string{T.ColTo, T.ColRef, "\t" + T.ColAmount}, true)
		for _, r := range view.Deductions {
			amount := r.Amount
			if r.NotPaid != "" {
				amount += "\n" + r.NotPaid
			}
			d.row(dc, []string{r.To, r.Reference, "\t" + amount}, false)
		}
	}
	d.f.Ln(3)
	d.heading(T.WagesTitle, 12)
	if len(view.Wages) == 0 {
		d.text(T.NoWages, 10)
	} else {
		wc := []float64{0.5, 0.25, 0.25}
		d.row(wc, []string{M.ColEmployer, "\t" + T.ColGross, "\t" + T.ColNet}, true)
		for _, w := range view.Wages {
			d.row(wc, []string{w.Employer, "\t" + w.Gross, "\t" + w.Net}, false)
		}
		d.row(wc, []string{T.Total, "\t" + view.Gross, "\t" + view.Net}, true)
	}
	return d.bytes()
}

// yearPDF is the year overview of view as a PDF: the same figures as its page.
func yearPDF(v *visit, view yearView) ([]byte, error) {
	T, M := v.pg.T.Spec, v.pg.T.Month
	d := newPDF("L", view.Heading+" — "+view.Gemeente, []string{T.YearFiscal}, T.Page)
	d.heading(view.Heading, 16)
	d.who(T, view.Gemeente, view.Resident)
	d.text(T.YearFiscal, 10)
	d.heading(T.YearMonths, 12)
	cols := []float64{0.16, 0.14, 0.14, 0.14, 0.14, 0.14, 0.14}
	d.row(cols, []string{T.ColMonth, "\t" + M.Bijstand, "\t" + M.Reserve, "\t" + T.DeductionsTitle, "\t" + M.Payout,
		"\t" + T.Gross, "\t" + T.Net}, true)
	for _, r := range view.Rows {
		d.row(cols, []string{r.Month, "\t" + r.Bijstand, "\t" + r.Reserve, "\t" + r.Applied, "\t" + r.Paid, "\t" + r.Gross,
			"\t" + r.Net}, r.Total)
	}
	d.f.Ln(4)
	d.heading(T.YearKinds, 12)
	kc := []float64{0.5, 0.2}
	d.row(kc, []string{T.ColKind, "\t" + T.Total}, true)
	for _, k := range view.Kinds {
		d.row(kc, []string{k.Label, "\t" + k.Amount}, false)
	}
	return d.bytes()
}
