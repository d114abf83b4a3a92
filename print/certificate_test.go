package print

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// The certificate is read back as a printer and a reader would take it:
// one A4 landscape page, both fonts embedded, and every Chinese text of it
// extracted by pdftotext.
func TestCertificateReadsBack(t *testing.T) {
	c := Certificate{Number: "PX2019-001-007", Name: "高峰", Unit: "石家庄市司法局", Course: "全省司法行政系统宣传工作培训班",
		From: time.Date(2019, 12, 12, 0, 0, 0, 0, herald.CST), To: time.Date(2019, 12, 13, 0, 0, 0, 0, herald.CST), Hours: "10.5",
		Issuer: "河北省司法厅宣传中心", Date: time.Date(2019, 12, 13, 17, 0, 0, 0, herald.CST)}
	pdf, err := RenderCertificate(c)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "certificate.pdf")
	if out := os.Getenv("HERALD_CERTIFICATE_OUT"); out != "" {
		file = out // to look at it
	}
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	info := tool(t, "pdfinfo", file)
	if !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) || !strings.Contains(info, "841.89 x 595.28") {
		t.Errorf("not one A4 landscape page:\n%s", info)
	}
	fonts := tool(t, "pdffonts", file)
	if !regexp.MustCompile(`(?m)^utf8droid\s.*Identity-H\s+yes`).MatchString(fonts) {
		t.Errorf("fonts not embedded:\n%s", fonts)
	}
	text := squash(tool(t, "pdftotext", file, "-"))
	for _, want := range []string{"结业证书", "证书编号：PX2019-001-007", "高峰", "石家庄市司法局",
		"该同志于2019年12月12日至2019年12月13日参加河北省司法厅宣传中心举办的“全省司法行政系统宣传工作培训班”，学时10.5小时",
		"准予结业", "河北省司法厅宣传中心2019年12月13日"} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate does not read %q:\n%s", want, text)
		}
	}
}

func TestCertificateRefusesMissingFields(t *testing.T) {
	_, err := RenderCertificate(Certificate{Name: "高峰", Course: "培训班"})
	for _, field := range []string{"number", "unit", "hours", "issuer", "date"} {
		found := false
		for _, f := range herald.ErrorFields(err) {
			found = found || f.Field == field
		}
		if !found {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
}
