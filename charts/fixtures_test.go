package charts

import (
	"html/template"
	"math"
	"time"
)

// shanghai is the newsroom's time zone, fixed so that the tests need no
// time zone database.
var shanghai = time.FixedZone("CST", 8*3600)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, shanghai) }

// daily returns n days of values from start; the values come from integer
// arithmetic so that every platform computes the same ones.
func daily(start time.Time, n int, value func(i int) float64) []Point {
	ps := make([]Point, n)
	for i := range ps {
		ps[i] = Point{start.AddDate(0, 0, i), value(i)}
	}
	return ps
}

var channels = []string{"网站", "手机", "订阅源", "微博", "公众号"}

// fixture is one chart the golden, browser and property tests draw.
type fixture struct {
	name string
	draw func() template.HTML
}

var fixtures = []fixture{
	{"line-month", func() template.HTML {
		start := day(2026, 11, 1)
		return Line(Options{Title: "十一月每日阅读量", Desc: "2026年11月，网站、手机和订阅源每日阅读量"},
			Series{"网站", daily(start, 30, func(i int) float64 { return float64(1200 + i*37%400 + i*15) })},
			Series{"手机", daily(start, 30, func(i int) float64 { return float64(2500 + i*53%700) })},
			Series{"订阅源", daily(start, 30, func(i int) float64 { return float64(300 + i*11%90) })})
	}},
	{"line-year", func() template.HTML {
		return Line(Options{Title: "公众号关注人数", Desc: "2026年每日关注人数"},
			Series{"公众号", daily(day(2026, 1, 1), 365, func(i int) float64 { return float64(48000 + i*21 + i*97%300) })})
	}},
	{"line-years", func() template.HTML {
		var ps []Point
		for m := range 72 {
			ps = append(ps, Point{day(2021, time.Month(1+m), 1), float64(20+m*m%50) / 10})
		}
		return Line(Options{Title: "月均评分", Decimals: 1}, Series{"评分", ps})
	}},
	{"line-hours", func() template.HTML {
		var ps []Point
		for h := range 24 {
			ps = append(ps, Point{time.Date(2026, 11, 26, h, 0, 0, 0, shanghai), float64(h * 17 % 60)})
		}
		return Line(Options{Title: "今日每小时阅读量"}, Series{"", ps})
	}},
	{"bars-channels", func() template.HTML {
		return Bars(Options{Title: "各渠道阅读量"}, channels, BarSeries{"阅读量", []float64{48210, 91377, 5120, 23904, 60233}})
	}},
	{"bars-grouped", func() template.HTML {
		return Bars(Options{Title: "各渠道阅读量，2025年与2026年", Desc: "两年各渠道阅读量对比"}, channels,
			BarSeries{"2025年", []float64{41000, 72000, 6100, 25000, 38000}},
			BarSeries{"2026年", []float64{48210, 91377, 5120, 23904, 60233}})
	}},
	{"bars-negative", func() template.HTML {
		return Bars(Options{Title: "本月加分与扣分", Decimals: 1}, []string{"稿件", "时效", "差错", "转载"},
			BarSeries{"得分", []float64{12.5, 4, -6.5, 2}})
	}},
	{"ranking", func() template.HTML {
		return Ranking(Options{Title: "各市司法局宣传工作得分排名", Decimals: 1}, []Row{
			{Label: "石家庄市司法局", Value: 96.5},
			{Label: "唐山市司法局", Value: 91},
			{Label: "秦皇岛市司法局", Value: 88.5, Highlight: true},
			{Label: "邯郸市司法局", Value: 93},
			{Label: "河北省石家庄市长安区司法局人民调解委员会", Value: 85},
			{Label: "Xiong'an New Area Bureau of Justice", Value: 79.5},
			{Label: "张家口市司法局", Value: 91},
		})
	}},
	{"ranking-negative", func() template.HTML {
		return Ranking(Options{Title: "本月净得分"}, []Row{
			{Label: "保定市司法局", Value: 14},
			{Label: "沧州市司法局", Value: -8, Highlight: true},
			{Label: "廊坊市司法局", Value: 3},
			{Label: "衡水市司法局", Value: -21},
		})
	}},
	{"ranking-deductions", func() template.HTML {
		return Ranking(Options{Title: "本月扣分", Decimals: 1}, []Row{
			{Label: "承德市司法局", Value: 0},
			{Label: "邢台市司法局", Value: -2.5, Highlight: true},
			{Label: "定州市司法局", Value: -10},
		})
	}},
	{"empty-line", func() template.HTML {
		return Line(Options{Title: "每日阅读量", NoData: "暂无数据"}, Series{"网站", []Point{{day(2026, 1, 1), math.NaN()}}})
	}},
	{"empty-bars", func() template.HTML { return Bars(Options{Title: "各渠道阅读量", NoData: "暂无数据"}, nil) }},
	{"empty-ranking", func() template.HTML {
		return Ranking(Options{Title: "得分排名", NoData: "本月尚无评分"}, nil)
	}},
}
