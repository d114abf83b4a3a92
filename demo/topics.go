package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/topics"
	"github.com/heraldnews/herald/workflow"
)

// The films are tiny real clips (a few seconds at 320×180, made once with
// ffmpeg), so the demo's player plays something on a machine with only Go.
// The five "公证人" films share one clip and the "平凡" micro videos another.
//
//go:embed data/videos/*.mp4
var videoClips embed.FS

// WithVideoFiles stores the demo's films in files; without it the video
// pieces are seeded with their records but their players find no film.
func WithVideoFiles(files media.Files) Option { return func(o *options) { o.videos = files } }

// work is a figure profile or video piece of the topic.
type work struct {
	title, summary, body, unit, author, editor, column, source string
	daysAgo                                                    int
	figure                                                     *herald.Figure
	series, clip                                               string
	hue                                                        int // of the portrait's or poster's colours
}

// figureWorks are the profiles: fictional people in realistic roles of the
// province's justice system.
var figureWorks = []work{
	{title: "苏明远：二十年守住每一份公证书的“真”", summary: "从业二十年，办理公证四万余件无一错证，他把“慢一点、细一点”当作公证员的本分。",
		body: "<p>走进石家庄市国信公证处三楼，苏明远的办公桌上摆着一本翻得起了毛边的《公证程序规则》。二十年来，他办理各类公证四万余件，无一错证、无一投诉。</p><p>“公证书上盖的是国家的印，错一个字都不行。”这是他常对年轻公证员说的话。去年，他牵头梳理出继承类公证“一次性告知清单”，群众来回跑的次数明显减少。</p>",
		unit: "SJZ-GX", author: "zhouqian", editor: "guoting", column: "figures", source: "石家庄市国信公证处", daysAgo: 38,
		figure: &herald.Figure{Name: "苏明远", Position: "公证员、公证处副主任", Unit: "石家庄市国信公证处"}, hue: 210},
	{title: "周立华：田间地头的“调解员大姐”", summary: "扎根村镇调解一线十五年，她把纠纷化解在炕头上、田埂边。",
		body: "<p>在正定县，不少村民都认识周立华——一个骑着电动车走村串户的“调解员大姐”。十五年来，她参与调解各类矛盾纠纷一千三百余件，调解成功率保持在98%以上。</p><p>“调解不是和稀泥，要把法讲明白，把理说透，把情暖到。”今年夏天，两户村民因宅基地边界争执不下，她三次上门、两次现场丈量，最终促成双方握手言和。</p>",
		unit: "SJZ-ZD", author: "kongfanyu", editor: "liuxiaomin", column: "figures", source: "正定县司法局", daysAgo: 45,
		figure: &herald.Figure{Name: "周立华", Position: "专职人民调解员", Unit: "正定县正定镇人民调解委员会"}, hue: 20},
	{title: "林晓：为困难群众跑出法律援助“加速度”", summary: "她代理法律援助案件三百余件，为农民工追回欠薪一千二百余万元。",
		body: "<p>林晓是河北省法律援助中心的一名援助律师。七年间，她代理法律援助案件三百余件，其中农民工讨薪案件占了近一半，累计帮助追回欠薪一千二百余万元。</p><p>为让当事人少跑腿，她推动开通“绿色通道”，对讨薪案件当天受理、当天指派。“群众的事，早一天办好，就少一天揪心。”</p>",
		unit: "HEB-FY", author: "mengfanli", editor: "sunpeng", column: "figures", source: "河北省法律援助中心", daysAgo: 52,
		figure: &herald.Figure{Name: "林晓", Position: "法律援助律师", Unit: "河北省法律援助中心"}, hue: 150},
	{title: "韩建军：司法所里的“老所长”", summary: "在基层司法所工作二十六年，他带出了一支“有事找得到、找了办得好”的队伍。",
		body: "<p>崇礼区西湾子镇司法所不大，三间办公室，韩建军在这里一干就是二十六年。冬奥会筹办期间，他带领所里同志为施工企业和务工人员开展法律咨询两百余场。</p><p>社区矫正、人民调解、普法宣传……司法所的工作千头万绪。“基层的事没有小事，”他说，“每件都办扎实，群众就信得过。”</p>",
		unit: "ZJK-CL-XWZ", author: "baiyonggang", editor: "sunpeng", column: "figures", source: "张家口市崇礼区司法局", daysAgo: 59,
		figure: &herald.Figure{Name: "韩建军", Position: "司法所所长", Unit: "张家口市崇礼区西湾子镇司法所"}, hue: 270},
}

// notaryFilms are the five "公证人" (Notary Public) films, in episode order.
var notaryFilms = []work{
	{title: "《公证人》第一集：一纸委托", summary: "远在海外的游子，一份委托公证了却了父母的心事。", daysAgo: 34, hue: 215},
	{title: "《公证人》第二集：遗嘱背后", summary: "一份遗嘱公证，守住的是一个家庭的和睦。", daysAgo: 31, hue: 200},
	{title: "《公证人》第三集：深夜的提存", summary: "凌晨两点的一次提存公证，护住了一笔工程款。", daysAgo: 27, hue: 230},
	{title: "《公证人》第四集：跨越山海的声明", summary: "远程视频公证，让跨国办证不再难。", daysAgo: 24, hue: 190},
	{title: "《公证人》第五集：守护", summary: "公证员讲述职业的分量：每一份公证书都是一份承诺。", daysAgo: 20, hue: 245},
}

// ordinaryVideos are "平凡" (Ordinary) micro videos about everyday justice work.
var ordinaryVideos = []work{
	{title: "《平凡》微视频：调解室的灯", summary: "村调解室的灯常常亮到深夜。", daysAgo: 41, hue: 35},
	{title: "《平凡》微视频：山路上的法律援助", summary: "援助律师翻山越岭，把法律服务送到家门口。", daysAgo: 33, hue: 95},
	{title: "《平凡》微视频：司法所的一天", summary: "记录一位基层司法所工作人员平凡而忙碌的一天。", daysAgo: 26, hue: 5},
}

// seedTopics seeds the special topic 先进典型: the figure profiles, the
// "公证人" films and "平凡" micro videos, all published through the workflow
// with their portraits and posters, and the topic that gathers them with the
// corpus's own stories of advanced figures.
func seedTopics(ctx context.Context, s herald.Store, wf *workflow.Service, clock *time.Time, now time.Time, staff map[string]*herald.Staff,
	units map[string]*herald.Unit, columns map[string]*herald.Column, themes map[string]*herald.Theme, seeded map[string]int64, files media.Files) error {
	editor := staff["liuxiaomin"]
	upload := func(img image.Image, name string) (string, error) {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return "", err
		}
		im, err := media.Process(bytes.NewReader(buf.Bytes()), "image/png", "file", media.DefaultLimits())
		if err != nil {
			return "", err
		}
		m := &herald.Media{SHA256: im.SHA256, Format: im.Format, Width: im.Width, Height: im.Height, Filename: name, UploadedBy: editor.ID, Renditions: im.Renditions}
		if err := s.CreateMedia(ctx, m, herald.Event{At: clock.UTC().Truncate(time.Microsecond), ActorID: editor.ID}); err != nil {
			return "", err
		}
		return m.PageURL(), nil
	}
	clip := func(name string) (int64, error) {
		b, err := videoClips.ReadFile("data/videos/" + name)
		if err != nil {
			return 0, err
		}
		// Without files (nil), the record alone: the same hash and size as the clip.
		ev := herald.Event{At: clock.UTC().Truncate(time.Microsecond), ActorID: editor.ID}
		v, err := media.SaveVideo(ctx, s, files, bytes.NewReader(b), name, "video/mp4", "video", media.DefaultVideoMaxBytes, ev)
		if err != nil {
			return 0, err
		}
		return v.ID, nil
	}
	publish := func(w work, spec ArticleSpec) (int64, error) {
		at := now.Add(-time.Duration(w.daysAgo)*24*time.Hour + 2*time.Hour)
		*clock = at.Add(-6 * time.Hour)
		spec.File, spec.State, spec.Language, spec.Time = "topics/"+w.title, "published", "zh-CN", at
		if err := seedArticle(ctx, wf, spec, staff, units, columns, themes, clock, at, seeded); err != nil {
			return 0, fmt.Errorf("%s: %w", w.title, err)
		}
		return seeded[spec.File], nil
	}
	var profileIDs, notaryIDs, ordinaryIDs []int64
	for _, w := range figureWorks {
		*clock = now.Add(-time.Duration(w.daysAgo+1) * 24 * time.Hour)
		portrait, err := upload(portraitImage(w.hue), "portrait-"+w.figure.Name+".png")
		if err != nil {
			return err
		}
		f := *w.figure
		f.Portrait = portrait
		id, err := publish(w, ArticleSpec{Title: w.title, Summary: w.summary, Body: w.body, Column: w.column, Unit: w.unit, Author: w.author,
			Editor: w.editor, Source: w.source, Tags: []string{"先进典型", f.Position}, Kind: herald.KindProfile, Figure: &f})
		if err != nil {
			return err
		}
		profileIDs = append(profileIDs, id)
	}
	films := func(ws []work, series, clipName, unit, author, editor string, ids *[]int64) error {
		for i, w := range ws {
			*clock = now.Add(-time.Duration(w.daysAgo+1) * 24 * time.Hour)
			poster, err := upload(posterImage(w.hue, i), fmt.Sprintf("poster-%s-%d.png", series, i+1))
			if err != nil {
				return err
			}
			fileID, err := clip(clipName)
			if err != nil {
				return err
			}
			body := "<p>" + w.summary + "</p><p>本片由河北省司法厅宣传中心出品，" + series + "系列作品。</p>"
			id, err := publish(w, ArticleSpec{Title: w.title, Summary: w.summary, Body: body, Column: "law-popularization", Unit: unit,
				Author: author, Editor: editor, Source: "河北省司法厅宣传中心", Tags: []string{series, "视频"}, Kind: herald.KindVideo,
				Video: &herald.ArticleVideo{FileID: fileID, Poster: poster, Series: series}})
			if err != nil {
				return err
			}
			*ids = append(*ids, id)
		}
		return nil
	}
	if err := films(notaryFilms, "公证人", "notary.mp4", "HEB-XC", "chenjing", "guoting", &notaryIDs); err != nil {
		return err
	}
	if err := films(ordinaryVideos, "平凡", "ordinary.mp4", "HEB-XC", "zhanghua", "liuxiaomin", &ordinaryIDs); err != nil {
		return err
	}
	// The corpus's own stories of advanced figures, published ones only.
	var related []int64
	for _, file := range []string{"009.txt", "024.txt", "033.txt", "042.txt"} {
		if id := seeded[file]; id != 0 {
			related = append(related, id)
		}
	}
	*clock = now.Add(-18 * 24 * time.Hour)
	svc := topics.New(s, func() time.Time { return *clock })
	cover, err := upload(posterImage(0, 7), "topic-advanced-figures.png")
	if err != nil {
		return err
	}
	t := &herald.SpecialTopic{Slug: "advanced-figures", Title: "先进典型：司法行政系统先进人物和典型事迹",
		Intro:      "他们是公证员、人民调解员、法律援助律师、司法所长……在平凡的岗位上守护公平正义。\n本专题集中展示全省司法行政系统先进人物风采，推出《公证人》系列影片和《平凡》微视频。",
		CoverImage: cover,
		Sections: []herald.TopicSection{{Heading: "人物风采", ArticleIDs: profileIDs}, {Heading: "《公证人》系列影片", ArticleIDs: notaryIDs},
			{Heading: "《平凡》微视频", ArticleIDs: ordinaryIDs}, {Heading: "典型事迹报道", ArticleIDs: related}}}
	if err := svc.Create(ctx, editor, t); err != nil {
		return fmt.Errorf("topic: %w", err)
	}
	*clock = clock.Add(2 * time.Hour)
	if _, err := svc.Update(ctx, staff["wangyalan"], t.ID, t.Version, topics.Publish()); err != nil {
		return fmt.Errorf("publish topic: %w", err)
	}
	return nil
}

// hsl turns a hue (degrees) with a saturation and lightness (0-1) into a colour.
func hsl(h int, s, l float64) color.RGBA {
	c := (1 - abs(2*l-1)) * s
	hp := float64((h%360+360)%360) / 60
	x := c * (1 - abs(mod2(hp)-1))
	var r, g, b float64
	switch int(hp) {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	return color.RGBA{uint8((r + m) * 255), uint8((g + m) * 255), uint8((b + m) * 255), 255}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func mod2(f float64) float64 { return f - 2*float64(int(f/2)) }

// portraitImage draws a 300×400 silhouette on a soft background: the demo
// has no photos of its fictional people.
func portraitImage(hue int) image.Image {
	const w, h = 300, 400
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	bg, fg := hsl(hue, 0.45, 0.82), hsl(hue, 0.35, 0.38)
	for y := range h {
		for x := range w {
			c := bg
			dx, dy := float64(x-w/2), float64(y-150)
			bx, by := float64(x-w/2)/130, float64(y-400)/170
			if dx*dx+dy*dy < 70*70 || (by < 0 && bx*bx+by*by < 1) {
				c = fg
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// posterImage draws a 640×360 poster: a gradient, bands and a play mark,
// varied by hue and n.
func posterImage(hue, n int) image.Image {
	const w, h = 640, 360
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := hsl(hue+x/16, 0.55, 0.25+0.35*float64(y)/h)
			if (x+y*2+n*40)%160 < 12 {
				c = hsl(hue+180, 0.4, 0.75)
			}
			// a play mark: a triangle in the middle
			px, py := x-w/2+30, y-h/2
			if px >= 0 && px < 70 && py > -40+px*40/70 && py < 40-px*40/70 {
				c = color.RGBA{255, 255, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}
