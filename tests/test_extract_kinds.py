"""The generic extractor on hand-written pages of the KINDS real Chinese news pages come in
(tests/pages/): CMS table layouts (DedeCMS/PHPCMS era), HTML5 <article> pages, WordPress, a React
page with JSON state, Traditional-Chinese Big5 and HK pages, list/search/forum pages, shells.

All text is fictional. Each page asserts title, date, tags, source, author, paragraphs kept and
chrome dropped; the rules these pages exercise are general (structure, text patterns, class/id
word lists), none names a page. Decisions documented here:
- 【中央社台北22日電】/（华盛顿22日讯） datelines stay in the body (as the corpus does); a news
  agency named in such a dateline is the source when nothing else names one and the page is not
  the agency's own.
- ``（完）`` end marks stay (they are part of the paragraph text the corpus keeps).
- Image captions are kept as <figure><img><figcaption>, not as body text (the corpus convention:
  figcaptions are not body text). In a photo gallery the short captions ARE the text.
- ``（记者 X 报道）`` / ``（记者 X）`` reporter lines on their own are dropped (author = X).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.clean import clean_bytes, load_profiles

PAGES = Path(__file__).parent / "pages"


@pytest.fixture(scope="module")
def profiles():
    return load_profiles()


def clean_page(name: str, profiles, data: bytes | None = None):
    data = data if data is not None else (PAGES / name).read_bytes()
    return clean_bytes(data, rel_path=name, profiles=profiles)


# name -> expectations. contains: substrings of body_text (each a paragraph or part of one);
# absent: substrings that must not be in body_text; paras: minimum number of paragraphs.
ARTICLES = {
    "dedecms_table_gbk.html": dict(
        title="青溪大桥今日建成通车 两岸通行时间缩短四十分钟", date="2019-11-22", tags=[],
        source="青溪日报", author="王晓川", paras=4,
        contains=["本报讯 十一月二十二日上午九时", "据县交通运输局介绍", "“以前过河要绕到下游的老桥",
                  "下一步，县里还将同步建设桥头公园和慢行步道"],
        absent=["今天是", "内容简介", "字号", "点击", "记者 王晓川", "责任编辑", "转载请注明", "上一篇", "下一篇",
                "收藏", "打印", "关闭窗口", "相关阅读", "青溪大桥主桥合龙", "发表评论", "热点内容", "广告",
                "版权所有", "分隔线"]),
    "phpcms_portal.html": dict(
        title="南湖市图书馆试行“夜读”服务 每晚开放至十点", date="2019-11-22", tags=["图书馆", "夜读", "公共文化"],
        source="南湖日报", author="林舒", paras=5,
        contains=["本报讯（记者 林舒）从本月起", "记者昨晚七时许来到市图书馆", "市图书馆馆长介绍",
                  "据悉，试行期为三个月", "（完）"],
        absent=["导读", "关键词", "版权声明", "免责声明", "未经授权", "扫一扫", "公众号", "分享到", "上一篇", "猜你喜欢",
                "网友评论", "终于等到了", "热门推荐", "广告", "农历"]),
    "html5_article_time.html": dict(
        title="海港城有轨电车一期工程完成试运行 明年春季载客", date="2019-11-22",
        tags=["有轨电车", "公共交通", "城市建设"], source=None, author="陈屿", paras=6,
        contains=["海港城有轨电车一期工程昨日完成", "试运行期间，每天有八列电车", "沿线路口实行信号优先",
                  "不少市民关心票价问题", "按照规划，有轨电车二期工程"],
        absent=["分享到", "微博", "相关新闻", "全线轨道铺通", "标签", "责任编辑", "网友评论", "期待", "热门推荐", "广告",
                "版权所有", "今天是", "滨海大道站"],
        html_has=['<figure><img src="https://img.haigang.example/2019/11/tram-01.jpg"', "试运行期间，电车驶过滨海大道站"]),
    "jsonld_sitename_first.html": dict(
        title="雪岭风电场二期并网发电 年发电量可达九亿千瓦时", date="2019-11-22", tags=[],
        source="高原经济报", author="扎西", paras=4,
        contains=["记者近日从雪岭风电场获悉", "雪岭风电场位于海拔四千米以上", "项目负责人介绍",
                  "据测算，风电场每年可节约标准煤"],
        absent=["责任编辑", "上一篇", "下一篇", "延伸阅读", "一期工程投产", "排行榜", "版权所有"]),
    "tw_portal_big5.html": dict(
        title="花蓮咖啡節週末登場 三十家小農參展", date="2019-11-22", tags=["花蓮", "咖啡", "小農"],
        source="中央社", author=None, paras=4,
        contains=["【中央社台北22日電】一年一度的花蓮咖啡節", "花蓮縣農業處表示", "今年活動除了杯測與手沖比賽外",
                  "農業處長說"],
        absent=["發佈時間", "列印", "字級", "瑞穗鄉咖啡農正在採收", "編輯", "關鍵字", "相關新聞", "瑞穗溫泉季",
                "分享至", "熱門新聞", "版權所有"]),
    "wordpress_blog_comments.html": dict(
        title="街角那家旧书店", date="2019-11-22", tags=["书店", "老街"], source=None, author=None, paras=5,
        contains=["我家楼下的老街拐角", "老板姓杜", "店里的书很杂", "杜老板有一个习惯", "前几天路过"],
        absent=["说道", "回复", "这家店我去过好多次", "发表评论", "上一篇", "秋天的河堤", "近期文章", "分类", "自豪地"]),
    "react_json_state.html": dict(
        title="江城首批氢能源公交车上路 加氢一次可跑四百公里", date="2019-11-22", tags=[], source=None,
        author="孟远", paras=4,
        contains=["十一月二十一日，江城首批二十辆", "这批公交车由本地企业研发制造", "与纯电动公交车相比",
                  "为保障车辆运营"],
        absent=["本文为江城观察原创", "猜你喜欢", "地铁五号线", "版权所有", "publishTime"]),
    "short_two_paragraphs.html": dict(
        title="【快讯】南湖港今晨出现大雾 部分航班延误", date="2019-11-22", tags=[], source="南湖新闻网",
        author=None, paras=2,
        contains=["今天早晨，南湖港及周边地区出现大雾", "气象部门预计，大雾将在上午十时前后逐渐消散"],
        absent=["责任编辑", "相关阅读", "明显降温", "热门推荐", "Copyright"]),
    "photo_gallery.html": dict(
        title="组图：雪岭牧场的冬天", date="2019-11-22", tags=[], source="高原之声", author=None, paras=4,
        contains=["入冬以后，雪岭牧场迎来第一场大雪", "清晨，牧民赶着牦牛群出发。", "孩子们在帐篷外堆雪人。",
                  "牧民为牛群准备过冬的草料。"],
        absent=["上一组", "更多图片", "牧区学校的早读课", "版权所有"],
        min_images=5),
    "hk_paginated_watermark.html": dict(
        title="【社會】舊區重建計劃諮詢展開 居民關注賠償安排", date="2019-11-22", tags=["舊區重建", "市區更新"],
        source="維港快訊", author="何嘉欣", paras=4,
        contains=["市區更新部門昨日公布舊區重建計劃", "諮詢文件建議", "不少居民在昨晚的居民大會上",
                  "市區更新部門發言人表示"],
        absent=["版權所有", "wgkx", "廣告", "下一頁", "責任編輯", "標籤", "免責聲明", "相關新聞", "發表評論",
                "希望政府", "熱門推介", "字號", "打印", "發佈時間"]),
    "wechat_repost_blog.html": dict(
        title="一座小城的早餐地图", date="2019-11-22", tags=["早餐", "小城"], source="城事漫谈", author="阿舟",
        paras=4,
        contains=["在青溪老城，一天是从一碗粉开始的", "往东走两条街", "菜市场门口的包子摊", "这些小店没有招牌"],
        absent=["原标题", "本文转载自", "本文来源于", "点击查看原文", "二维码", "关注我们", "上一篇", "延伸阅读",
                "文章归档", "仅代表作者观点", "阅读("]),
    "inline_boilerplate.html": dict(
        title="老城区雨污分流改造进入收尾阶段", date="2019-11-22", tags=[], source="青溪在线", author=None, paras=5,
        contains=["记者从县住建局获悉，老城区雨污分流改造工程", "这项工程涉及老城区十二条主次干道",
                  "施工期间，为减少对群众出行的影响", "县住建局相关负责人表示", "（完）"],
        absent=["今天是", "字体", "打印", "关闭", "编辑", "相关阅读", "开工", "扫一扫", "上一页", "下一页", "阅读原文",
                "免责声明", "一周排行", "版权所有", "图为施工人员"],
        min_images=1),
    "no_date_decoys.html": dict(
        title="山区小学的“云端课堂”", date=None, tags=[], source=None, author=None, paras=3,
        contains=["在南湖市最偏远的山区", "这种“云端课堂”由城区学校的老师主讲", "村小校长说"],
        absent=["相关新闻", "网友评论", "好事情", "版权所有", "星期二"]),
    "react_json_only.html": dict(  # the HTML has an empty #root: the article is in the JSON state
        title="南湖首批三十个口袋公园建成开放", date="2019-11-22", tags=[], source=None, author=None, paras=4,
        contains=["南湖市今年首批三十个“口袋公园”日前全部建成开放", "记者走访发现", "市园林部门负责人介绍",
                  "据了解，口袋公园建成后"],
        absent=["公交微循环", "20191122A0X1Y2", "login"], min_images=1),
    "blog_sina_style.html": dict(  # blog: 标签 box beside a 分类 box, <div><br></div> paragraphs, comments
        title="冬至那天的饺子", date="2019-12-22", tags=["冬至", "饺子", "母亲"], source=None, author=None, paras=4,
        contains=["冬至这天，母亲一早就给我打电话", "母亲包饺子有个讲究", "小时候家里穷", "晚上到家，饺子刚好出锅"],
        absent=["个人资料", "博文分类", "随笔", "分享", "阅读(", "评论", "前一篇", "江边的冬钓", "想我妈了", "Copyright"],
        min_images=1),
    "table_oldportal_gb2312.html": dict(  # declares gb2312, has a GBK-only character (堃); title in a
        # td (no heading); unlabelled "today" in the top bar; readers' floors 1楼…4楼 after the article
        title="江城举办首届非遗美食节 百余种传统小吃集中亮相", date="2019-11-22", tags=[], source="江城晚报",
        author="李堃", paras=3,
        contains=["11月21日，江城首届非物质文化遗产美食节在老码头广场开幕", "在糖画摊位前，非遗传承人周师傅手持铜勺",
                  "本届美食节为期五天"],
        absent=["星期二", "设为首页", "打印", "关闭窗口", "网友留言", "1楼", "糖画小时候最爱吃", "美食推荐", "Copyright"]),
}

SKIPPED = {  # name -> allowed kinds
    "list_column_dated.html": {"index"},
    "search_results.html": {"search"},
    "forum_thread_floors.html": {"forum"},
    "react_shell_only.html": {"shell"},
    "redirect_meta_refresh.html": {"redirect"},
    "empty_body.html": {"empty"},
}


@pytest.mark.parametrize("name", sorted(ARTICLES))
def test_article_page(name, profiles):
    exp = ARTICLES[name]
    r = clean_page(name, profiles)
    assert r.kind == "article", (r.kind, r.reason)
    rec = r.record
    got = r.to_json()
    assert rec.title == exp["title"]
    assert rec.date == exp["date"]
    assert list(rec.tags) == exp["tags"]
    assert rec.source == exp["source"]
    assert rec.author == exp["author"]
    text = got["body_text"]
    for s in exp["contains"]:
        assert s in text, s
    for s in exp["absent"]:
        assert s not in text, s
    assert len(text.split("\n\n")) >= exp["paras"]
    for s in exp.get("html_has", ()):
        assert s in rec.body_html, s
    if "min_images" in exp:
        assert rec.body_html.count("<img") >= exp["min_images"]
    assert "<script" not in rec.body_html


@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_non_article_page(name, profiles):
    r = clean_page(name, profiles)
    assert r.kind in SKIPPED[name], (r.kind, r.reason)
    assert r.reason
    assert r.record is None


@pytest.mark.parametrize("url,date", [
    ("http://www.qingxi-online.example/huanbao/2019/1122/10250.html", "2019-11-22"),
    ("http://www.qingxi-online.example/huanbao/20191122/10250.html", "2019-11-22"),
    ("http://www.qingxi-online.example/huanbao/2019-11-22/10250.html", "2019-11-22"),
    ("http://www.qingxi-online.example/huanbao/201911/t20191122_10250.html", "2019-11-22"),
    ("http://www.qingxi-online.example/huanbao/2019/11/22/10250.html", "2019-11-22"),
    ("http://www.qingxi-online.example/huanbao/10250.html", None),
])
def test_date_from_the_pages_own_url(url, date, profiles):
    """A page whose only date is in its own URL (the related links carry other dates)."""
    data = (PAGES / "url_date_only.html").read_bytes().replace(b"__URL__", url.encode())
    r = clean_page("url_date_only.html", profiles, data)
    assert r.kind == "article", r.reason
    assert r.record.date == date
    assert r.record.title == "城北湿地公园完成生态修复 候鸟数量明显增加"
    assert "相关阅读" not in r.record.body_text and "今天是" not in r.record.body_text


@pytest.mark.parametrize("line,date", [
    ("2019年11月22日 10:30", "2019-11-22"),
    ("2019-11-22 10:30:00", "2019-11-22"),
    ("2019/11/22", "2019-11-22"),
    ("2019.11.22", "2019-11-22"),
    ("发布时间：2019-11-22 10:30 更新时间：2019-11-25 08:00", "2019-11-22"),
    ("更新时间：2019-11-25 08:00 发布时间：2019-11-22 10:30", "2019-11-22"),
    ("發佈時間：2019年11月22日", "2019-11-22"),
    ("更新时间：2019-11-22", "2019-11-22"),
    ("2019年11月22日 星期五 来源：新华社", "2019-11-22"),
    ("2019年11月22日10:30", "2019-11-22"),
    ("Posted on November 22nd, 2019", "2019-11-22"),
    ("22 Nov 2019 10:30 HKT", "2019-11-22"),
    ("發佈日期：108/11/22", "2019-11-22"),
    ("民國108年11月22日", "2019-11-22"),
])
def test_date_line_formats(line, date, profiles):
    body = "".join(f"<p>{p}</p>" for p in _PARAS)
    html = (f"<html><head><title>标题测试文章一则 - 某网</title></head><body>"
            f"<div class='top'>今天是 2024年3月5日</div><h1>标题测试文章一则</h1><div class='meta'>{line}</div>"
            f"<div class='content'>{body}</div><div class='footer'>© 2003-2024 某网</div></body></html>")
    r = clean_page("d.html", profiles, html.encode())
    assert r.record.date == date


_PARAS = ["南湖市今年新建改建城市公园十二座，新增绿地面积八十余公顷，市民出门五百米见绿的目标基本实现。",
          "市园林部门表示，明年将继续推进口袋公园建设，重点补齐老城区绿地不足的短板，让更多居民就近享受绿色空间。",
          "据介绍，新建公园均配备了无障碍设施和儿童游乐场地，部分公园还设置了夜间照明和健身步道。"]


@pytest.mark.parametrize("line,source,author", [
    ("来源：新华社", "新华社", None),
    ("来源: 新华网 作者：张三", "新华网", "张三"),
    ("稿源：南湖日报", "南湖日报", None),
    ("出处：城市周刊", "城市周刊", None),
    ("本文来源于：海港日报", "海港日报", None),
    ("來源：東岸新聞網　記者：李明", "東岸新聞網", "李明"),
])
def test_source_lines_in_the_header(line, source, author, profiles):
    body = "".join(f"<p>{p}</p>" for p in _PARAS)
    html = (f"<html><head><title>标题测试文章一则 - 某网</title></head><body><h1>标题测试文章一则</h1>"
            f"<div class='meta'>2019-11-22 {line}</div><div class='content'>{body}</div></body></html>")
    r = clean_page("s.html", profiles, html.encode())
    assert (r.record.source, r.record.author) == (source, author)
    assert r.record.date == "2019-11-22"


@pytest.mark.parametrize("tail,source,author", [
    ("<p>（记者 李四 报道）</p>", None, "李四"),
    ("<p>（本文来源：新华社）</p>", "新华社", None),
    ("<p>本文转载自“城事漫谈”公众号</p>", "城事漫谈", None),
    ("<p>编辑：王五</p>", None, None),
    ("<p>（原标题：南湖市公园建设提速）</p>", None, None),
    ("<p>责任编辑：赵六</p><p>版权声明：本文版权归原作者所有，未经授权禁止转载。</p>", None, None),
    ("<p>本文来源：新华网 责任编辑：王晓_NN1234</p>", "新华网", None),
    ("<p>返回搜狐，查看更多</p><p>责任编辑：</p>", None, None),
    ("<p>（本报记者 李四 通讯员 王五）</p>", None, "李四"),
    ("<p>来源：新华社 作者：张三</p>", "新华社", "张三"),
    ("<p>（文章来源：南湖日报）</p><p>【纠错】 【责任编辑：赵六】</p>", "南湖日报", None),
    ("<p>更多精彩内容，请下载南湖新闻客户端</p>", None, None),
])

def test_credit_lines_in_the_body(tail, source, author, profiles):
    body = "".join(f"<p>{p}</p>" for p in _PARAS) + tail
    html = (f"<html><head><title>标题测试文章一则 - 某网</title></head><body><h1>标题测试文章一则</h1>"
            f"<div class='content'>{body}</div></body></html>")
    r = clean_page("c.html", profiles, html.encode())
    text = r.record.body_text
    assert len(text.split("\n\n")) == 3, text
    assert (r.record.source, r.record.author) == (source, author)


@pytest.mark.parametrize("title,h1,expected", [
    ("文章标题测试一则_国内_某某网", "某某网", "文章标题测试一则"),
    ("某某网 - 文章标题测试一则", "", "文章标题测试一则"),
    ("文章标题测试一则 | 某某网", "", "文章标题测试一则"),
    ("文章标题测试一则——某某网", "", "文章标题测试一则"),
    ("文章标题测试一则-某某网", "", "文章标题测试一则"),
    ("某某网", "文章标题测试一则", "文章标题测试一则"),
    ("【评论】文章标题测试一则_某某网", "【评论】文章标题测试一则", "【评论】文章标题测试一则"),
    ("【评论】文章标题测试一则_某某网", "文章标题测试一则", "文章标题测试一则"),
    ("文章标题测试一则 - 国内 - 某某网 - 新闻中心", "", "文章标题测试一则"),
    ("文章标题测试一则——副题说明更多内容_某某网", "文章标题测试一则——副题说明更多内容", "文章标题测试一则——副题说明更多内容"),
])
def test_title_forms(title, h1, expected, profiles):
    body = "".join(f"<p>{p}</p>" for p in _PARAS)
    logo = "<div class='logo'><h1><a href='/'>某某网</a></h1></div>"
    head = f"<h1>{h1}</h1>" if h1 and h1 != "某某网" else ""
    html = (f"<html><head><title>{title}</title></head><body>{logo}<div class='main'>{head}"
            f"<div class='content'>{body}</div></div></body></html>")
    r = clean_page("t.html", profiles, html.encode())
    assert r.record.title == expected


def test_meta_keywords_and_navigation_are_not_tags(profiles):
    body = "".join(f"<p>{p}</p>" for p in _PARAS)
    html = ("<html><head><title>标题测试文章一则 - 某网</title><meta name='keywords' content='公园,绿地'></head><body>"
            "<div class='nav'><a href='/tag/a'>要闻</a> <a href='/tag/b'>城市</a></div><h1>标题测试文章一则</h1>"
            f"<div class='content'>{body}</div><div class='channel'>栏目：<a href='/city/'>城市</a></div></body></html>")
    assert clean_page("k.html", profiles, html.encode()).record.tags == ()


def test_agency_dateline_is_kept_and_gives_the_source(profiles):
    first = "新华社北京11月22日电（记者 张三）" + _PARAS[0]
    body = f"<p>{first}</p>" + "".join(f"<p>{p}</p>" for p in _PARAS[1:])
    html = (f"<html><head><title>标题测试文章一则 - 南湖新闻网</title></head><body><h1>标题测试文章一则</h1>"
            f"<div class='content'>{body}</div></body></html>")
    r = clean_page("a.html", profiles, html.encode())
    assert r.record.source == "新华社" and r.record.body_text.startswith("新华社北京11月22日电")
    own = html.replace("南湖新闻网", "新华社")  # the agency's own page: no source
    assert clean_page("a.html", profiles, own.encode()).record.source is None


def test_article_with_numbered_reader_posts_below_is_not_a_forum(profiles):
    """Readers' posts numbered as floors (1楼/2楼/3楼) in a box with unfamiliar class names, after
    the article: still an article, and the posts are not body text."""
    body = "".join(f"<p>{p}</p>" for p in _PARAS)
    posts = "".join(f"<div class='pl-row'><div class='pl-head'><em>{i}楼</em> <span>网友{i}</span> "
                    f"<span>2019-11-2{i} 10:0{i}</span></div><div class='pl-txt'>说得好，支持第{i}个观点。</div></div>"
                    for i in range(1, 6))
    html = (f"<html><head><title>标题测试文章一则 - 某网</title></head><body><h1>标题测试文章一则</h1>"
            f"<div class='meta'>2019-11-20 来源：某网</div><div class='content'>{body}</div>"
            f"<div class='talk-box'><h3>网友热议</h3>{posts}</div></body></html>")
    r = clean_page("f.html", profiles, html.encode())
    assert r.kind == "article", r.reason
    assert r.record.date == "2019-11-20"
    assert "支持" not in r.record.body_text and len(r.record.body_text.split("\n\n")) == 3


@pytest.mark.parametrize("layout", ["wp_archive", "dl_list", "table_list"])
def test_more_list_page_layouts_are_skipped(layout, profiles):
    heads = [f"南湖新闻第{i}则：城市建设与民生工程推进情况通报" for i in range(1, 22)]
    if layout == "wp_archive":
        items = "".join(f"<article class='post type-post'><header class='entry-header'><h2 class='entry-title'>"
                        f"<a href='/2019/11/{i:02d}/p{i}/' rel='bookmark'>{h}</a></h2></header><div class='entry-summary'>"
                        f"<p>这是第{i}则新闻的摘要，介绍了工程的最新进展和下一步安排。</p></div></article>"
                        for i, h in enumerate(heads, 1))
        html = (f"<html><head><title>城市 – 慢读手记</title></head><body class='archive category'>"
                f"<header><h1 class='page-title'>分类：城市</h1></header><main>{items}</main></body></html>")
    elif layout == "dl_list":
        items = "".join(f"<dl><dt><a href='/news/2019/11{i:02d}/{i}.shtml'>{h}</a></dt><dd>2019-11-{i:02d}</dd></dl>"
                        for i, h in enumerate(heads, 1))
        html = f"<html><head><title>城市新聞 - 東岸新聞網</title></head><body><div class='lists'>{items}</div></body></html>"
    else:
        rows = "".join(f"<tr><td>·<a href='/n/{i}.html'>{h}</a></td><td>(11-{i:02d})</td></tr>" for i, h in enumerate(heads, 1))
        html = (f"<html><head><title>本地新闻_青溪在线</title></head><body><table><tr><td width='700'>"
                f"<table>{rows}</table></td></tr></table></body></html>")
    r = clean_page("l.html", profiles, html.encode())
    assert r.kind in ("index", "search"), (r.kind, r.reason)


def test_short_article_beside_a_heavy_teaser_sidebar(profiles):
    """Two short paragraphs vs a sidebar of ten teasers with longer summaries: the article wins."""
    body = ("<p>今天上午，南湖大桥东侧引桥发生一起三车追尾事故，未造成人员伤亡。</p>"
            "<p>交警提醒，雨天路滑，请驾驶人保持安全车距，减速慢行。</p>")
    teasers = "".join(f"<li><a href='/n/2019/1121/{i}.html'>南湖市第{i}项民生实事进展顺利</a>"
                      f"<p>记者从市有关部门获悉，今年确定的第{i}项民生实事目前进展顺利，预计年底前全面完成，惠及市民数万人。</p></li>"
                      for i in range(1, 11))
    html = (f"<html><head><title>南湖大桥引桥发生追尾事故_南湖新闻网</title></head><body>"
            f"<div class='main'><div class='left'><h1>南湖大桥引桥发生追尾事故</h1>"
            f"<div class='info'>2019-11-22 11:20 来源：南湖新闻网</div><div class='text'>{body}</div></div>"
            f"<div class='right'><h3>热点新闻</h3><ul class='hot-list'>{teasers}</ul></div></div></body></html>")
    r = clean_page("s.html", profiles, html.encode())
    assert r.kind == "article", r.reason
    text = r.record.body_text
    assert text.startswith("今天上午，南湖大桥东侧引桥") and "民生实事" not in text
    assert r.record.date == "2019-11-22"


@pytest.mark.parametrize("markup", ["nbsp_single_br", "font_in_td"])
def test_br_separated_paragraphs_in_old_markup(markup, profiles):
    if markup == "nbsp_single_br":
        body = "<div id='text'>" + "".join(f"&nbsp;&nbsp;&nbsp;&nbsp;{p}<br>\n" for p in _PARAS) + "</div>"
    else:
        body = ("<table><tr><td class='txt'><font size='3' face='宋体'>" + "<br><br>".join(_PARAS)
                + "</font></td></tr></table>")
    html = (f"<html><head><title>标题测试文章一则_某网</title></head><body><table><tr><td>"
            f"<b>标题测试文章一则</b></td></tr><tr><td>{body}</td></tr></table></body></html>")
    r = clean_page("b.html", profiles, html.encode())
    assert r.record.body_text.split("\n\n") == _PARAS


def test_traditional_forum_thread_is_skipped(profiles):
    posts = "".join(f"<div class='post'><div class='ph'><span>{f}</span> <span>發表於 2019-11-2{i} 10:0{i}</span></div>"
                    f"<div class='pb'>{_PARAS[i % 3]}</div></div>"
                    for i, f in enumerate(["樓主", "#2", "#3", "#4", "#5"]))
    html = (f"<html><head><title>花蓮咖啡節有人去過嗎？ - 生活閒聊 - 東岸家園</title></head><body>"
            f"<h1>花蓮咖啡節有人去過嗎？</h1>{posts}</body></html>")
    r = clean_page("f.html", profiles, html.encode())
    assert r.kind == "forum", (r.kind, r.reason)


def test_watermarks_hidden_by_the_pages_own_stylesheet(profiles):
    css = ("<style>.x9, span.wm2 {display: none} .a1{font-size:0px;} .nav .sub{display:none}"
           "@media print{.noprint{display:none}} .tab{display:none}</style>")
    paras = [f"<p>{_PARAS[0]}<span class='x9'>青溪在线原创</span></p>",
             f"<p class='noprint'>{_PARAS[1]}<span class='wm2'>qxzx-2019</span></p>",
             f"<p>{_PARAS[2]}<font class='a1'>来源青溪在线</font></p>"]
    html = (f"<html><head><title>标题测试文章一则 - 某网</title>{css}</head><body><h1>标题测试文章一则</h1>"
            f"<div class='content'>{''.join(paras)}</div></body></html>")
    r = clean_page("w.html", profiles, html.encode())
    assert r.record.body_text.split("\n\n") == _PARAS


def test_keyword_box_that_runs_on_into_a_related_list(profiles):
    """A 关键词阅读 box whose keyword links are followed by related headlines (a portal habit):
    the keywords are the tags, the headlines are not; a box of headlines is not a tag box."""
    body = "".join(f"<p>{p}</p>" for p in _PARAS)
    box = ("<div class='ep-keywords'>关键词阅读：<a href='/k/1'>公园</a> <a href='/k/2'>绿地</a> <a href='/k/3'>城市</a>"
           "<ul><li><a href='/n/1.html'>南湖市公园绿地规划公布，新增十座公园</a> 2019/11/20</li>"
           "<li><a href='/n/2.html'>口袋公园：城市里的“绿色客厅”</a> 2019/11/18</li></ul></div>")
    promo = ("<div class='topic-tags'><a href='/c/news'>新闻</a> <a href='/a/1'>市民热议：公园该不该设置围栏？</a>"
             "<a href='/a/2'>城市绿地率连续五年提高，你家附近有公园吗</a><a href='/a/3'>园林工人的一天，从凌晨四点开始</a></div>")
    for extra, tags in ((box, ("公园", "绿地", "城市")), (promo, ())):
        html = (f"<html><head><title>标题测试文章一则 - 某网</title></head><body><div class='wrap'><h1>标题测试文章一则</h1>"
                f"<div class='content'>{body}</div>{extra}</div></body></html>")
        assert clean_page("k.html", profiles, html.encode()).record.tags == tags
