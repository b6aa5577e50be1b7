"""Synthetic notices for benchmarks and tests (``manage.py generate_corpus``): notices,
regulations and their units whose text is sampled from real State Council documents.

The text is real: headings, sentences and preambles are sampled from ~50 real State Council
notices and regulations (documents/corpus_source/policy_texts.jsonl, built by
bench/build_corpus_source.py), with a skewed sentence frequency so that a few formulas are
everywhere and most sentences are rare, as in a real archive. Region and city names, and some
four thousand county and town names from jieba's dictionary, give the long tail of rare words.
A synthesizer gives plain data (dicts); the command writes it.
"""

import datetime
import itertools
import json
import random
import re
from pathlib import Path

import jieba

from .models import Notice
from .parsing import parse_doc_number

SOURCE = Path(__file__).resolve().parent / "corpus_source" / "policy_texts.jsonl"

# Issuing bodies: name, short name, doc-number codes (机关代字), and how often each leads.
ISSUERS = [
    ("国务院", "国务院", "国发 国函", 10),
    ("国务院办公厅", "国办", "国办发 国办函", 10),
    ("国家发展改革委", "发改委", "发改地区 发改产业 发改投资 发改体改 发改价格 发改高技", 8),
    ("财政部", "财政部", "财税 财预 财建 财金 财农 财社", 6),
    ("工业和信息化部", "工信部", "工信部规 工信部产业 工信部联规 工信部原", 5),
    ("教育部", "教育部", "教发 教基 教高 教职成", 4),
    ("科学技术部", "科技部", "国科发 国科办", 4),
    ("公安部", "公安部", "公通字 公交管", 2),
    ("民政部", "民政部", "民发 民函", 2),
    ("司法部", "司法部", "司发 司发通", 1),
    ("人力资源社会保障部", "人社部", "人社部发 人社部规", 3),
    ("自然资源部", "自然资源部", "自然资发 自然资规", 3),
    ("生态环境部", "生态环境部", "环大气 环水体 环土壤 环办", 3),
    ("住房城乡建设部", "住建部", "建城 建标 建房 建村", 3),
    ("交通运输部", "交通运输部", "交规划发 交运发 交公路发", 3),
    ("水利部", "水利部", "水规计 水资管", 2),
    ("农业农村部", "农业农村部", "农发 农计财发 农经发", 3),
    ("商务部", "商务部", "商务发 商服贸发 商合函", 3),
    ("文化和旅游部", "文旅部", "文旅发 文旅资源发", 2),
    ("国家卫生健康委", "卫健委", "国卫医发 国卫办医发 国卫疾控发", 3),
    ("退役军人事务部", "退役军人部", "退役军人部发", 1),
    ("应急管理部", "应急管理部", "应急 应急厅", 2),
    ("中国人民银行", "人民银行", "银发 银办发", 2),
    ("审计署", "审计署", "审办发", 1),
    ("国务院国资委", "国资委", "国资发改革 国资发规划", 2),
    ("海关总署", "海关总署", "署税发 署监发", 1),
    ("国家税务总局", "税务总局", "税总发 税总函", 2),
    ("国家市场监督管理总局", "市场监管总局", "国市监注 国市监竞争", 2),
    ("国家金融监督管理总局", "金融监管总局", "金规 金办发", 1),
    ("中国证监会", "证监会", "证监发", 1),
    ("国家广播电视总局", "广电总局", "广电发", 1),
    ("国家体育总局", "体育总局", "体经字 体群字", 1),
    ("国家统计局", "统计局", "国统字", 1),
    ("国家知识产权局", "知识产权局", "国知发保字 国知发运字", 1),
    ("国家乡村振兴局", "乡村振兴局", "国乡振发", 1),
    ("国家医疗保障局", "医保局", "医保发", 1),
    ("国务院扶贫办", "扶贫办", "国开办发", 1),
    ("国家能源局", "能源局", "国能发电力 国能发新能", 2),
    ("国家林业和草原局", "林草局", "林规发 林改发", 1),
    ("国家铁路局", "铁路局", "国铁科法", 1),
    ("中国民用航空局", "民航局", "民航发", 1),
    ("国家邮政局", "邮政局", "国邮发", 1),
    ("国家文物局", "文物局", "文物政发", 1),
    ("国家中医药管理局", "中医药局", "国中医药医政发", 1),
    ("国家药品监督管理局", "药监局", "国药监药注", 1),
    ("国家粮食和物资储备局", "粮食和储备局", "国粮发", 1),
    ("国家国防科技工业局", "国防科工局", "科工计", 1),
    ("国家烟草专卖局", "烟草局", "国烟办", 1),
    ("国家移民管理局", "移民局", "国移管发", 1),
    ("国家外汇管理局", "外汇局", "汇发", 1),
    ("国家机关事务管理局", "国管局", "国管财", 1),
    ("国家互联网信息办公室", "网信办", "国网办发", 1),
    ("国家档案局", "档案局", "档发", 1),
    ("国家信访局", "信访局", "国信发", 1),
    ("外交部", "外交部", "外发", 1),
    ("国家民委", "国家民委", "民委发", 1),
    ("国家数据局", "数据局", "国数发", 1),
    ("国家标准化管理委员会", "国家标准委", "国标委发", 1),
    ("中央军委办公厅", "军委办公厅", "", 0),
]

# Regions and cities in titles and preambles: words that a few hundred notices share.
PLACES = (
    "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 "
    "福建省 江西省 山东省 河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 "
    "云南省 西藏自治区 陕西省 甘肃省 青海省 宁夏回族自治区 新疆维吾尔自治区 石家庄市 太原市 "
    "呼和浩特市 沈阳市 大连市 长春市 哈尔滨市 南京市 苏州市 杭州市 宁波市 合肥市 福州市 厦门市 "
    "南昌市 济南市 青岛市 郑州市 武汉市 长沙市 广州市 深圳市 珠海市 南宁市 海口市 成都市 贵阳市 "
    "昆明市 拉萨市 西安市 兰州市 西宁市 银川市 乌鲁木齐市 雄安新区 浦东新区 滨海新区 两江新区 "
    "舟山群岛新区 兰州新区 南沙新区 贵安新区 西咸新区 天府新区 赣江新区 长江经济带 黄河流域 "
    "粤港澳大湾区 长江三角洲 京津冀 成渝地区 东北地区 中部地区 西部地区 海峡西岸 北部湾 "
    "珠江—西江经济带 淮河生态经济带 汉江生态经济带 呼包鄂榆城市群 哈长城市群 关中平原城市群"
).split()

CATEGORY_WEIGHTS = {"regional-economy": 4, "belt-and-road": 2, "13th-five-year-plan": 2}
NOTICE_TYPES = ["通知", "意见", "指导意见", "实施意见", "若干意见", "决定", "批复", "通报"]
REGULATION_TYPES = ["管理办法", "暂行办法", "实施细则", "规定", "条例", "暂行条例", "管理规定"]
DIGITS = "零一二三四五六七八九"
_SENTENCE_END = re.compile(r"(?<=[。；！？;])")
_TITLE_TOPIC = re.compile(
    r"关于(.{4,40}?)的(?:通知|意见|指导意见|若干意见|决定|批复|复函|通报|函)$"
)


def local_places() -> list[str]:
    """Some four thousand counties, districts and towns from jieba's own dictionary (tagged ns):
    each names a handful of notices at most, the long tail of rare words a real archive has."""
    with jieba.get_dict_file() as dictionary:
        entries = (line.decode("utf-8").split() for line in dictionary)
        return sorted(
            word
            for word, _, tag, *_ in entries
            if tag == "ns" and word[-1] in "县市区镇乡" and len(word) >= 3
        )


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 105 → 一百零五 (unit labels go past a hundred articles)."""
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return DIGITS[n // 10] + "十" + (DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if not rest else ("零" + chinese_number(rest) if rest < 10 else chinese_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail
    return DIGITS[n // 100] + "百" + tail


def _is_prose(sentence: str) -> bool:
    """A real sentence, not a table row or a list of names: ends a clause, mostly Chinese."""
    chinese = sum("\u4e00" <= char <= "\u9fff" for char in sentence)
    return (
        len(sentence) >= 8
        and sentence[-1] in "。；！？;"
        and "\u3000" not in sentence
        and chinese >= 0.75 * len(sentence)
    )


class TextSource:
    """The pools sampled from the real documents: sentences, headings, titles, preambles."""

    def __init__(self, path: Path, rng: random.Random):
        records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
        self.sentences, self.outline_headings, self.section_headings = [], [], []
        self.article_chapters, self.addressees, self.preambles, self.topics = [], [], [], []
        for record in records:
            self.preambles.extend(p for p in record["preamble"] if len(p) > 20)
            if record["addressees"]:
                self.addressees.append(record["addressees"])
            topic = _TITLE_TOPIC.search(record["title"])
            if topic:
                self.topics.append(topic[1].removeprefix("印发"))
            for unit in record["units"]:
                self._collect(unit)
        self.topics += [h for h in self.section_headings if 4 <= len(h) <= 16]
        for pool in (self.sentences, self.outline_headings, self.section_headings, self.topics):
            pool[:] = sorted(set(pool))
        # Zipf-like popularity over a shuffled order: stock phrases recur, most sentences are rare.
        rng.shuffle(self.sentences)
        self.sentence_weights = list(
            itertools.accumulate(1 / (rank + 10) ** 0.9 for rank in range(len(self.sentences)))
        )
        self.article_chapters = sorted(set(self.article_chapters) - {"总则", "附则"})

    def _collect(self, unit: dict, parent_kind: str = "") -> None:
        kinds = {child["kind"] for child in unit.get("children", [])}
        heading = unit["heading"].strip("。 ")
        if heading and 2 <= len(heading) <= 30:
            if unit["kind"] == "chapter" and "article" in kinds:
                self.article_chapters.append(heading)
            elif unit["kind"] == "chapter":
                self.outline_headings.append(heading)
            elif unit["kind"] in ("section", "item"):
                self.section_headings.append(heading)
        for paragraph in unit["text"].split("\n"):
            self.sentences.extend(s for s in _SENTENCE_END.split(paragraph) if _is_prose(s))
        for child in unit.get("children", []):
            self._collect(child, unit["kind"])

    def sample_sentences(self, rng: random.Random, chars: int) -> str:
        """About ``chars`` characters of real sentences, in paragraphs of two to five."""
        out, size = [], 0
        while size < chars:
            sentence = rng.choices(self.sentences, cum_weights=self.sentence_weights)[0]
            out.append(sentence)
            size += len(sentence)
        paragraphs, start = [], 0
        while start < len(out):
            step = rng.randint(2, 5)
            paragraphs.append("".join(out[start : start + step]))
            start += step
        return "\n".join(paragraphs)


class NoticeSynthesizer:
    """Plain-data notices (a dict each), drawn deterministically from one random generator."""

    def __init__(self, source: TextSource, bodies, categories, taken, rng: random.Random):
        self.source, self.rng, self.taken = source, rng, taken
        self.leads = [(body, codes.split()) for body, codes, weight in bodies if weight]
        self.lead_weights = [weight for _, _, weight in bodies if weight]
        self.joint = [body for body, _, _ in bodies if body.name not in ("国务院", "国务院办公厅")]
        self.categories = categories
        self.category_weights = [CATEGORY_WEIGHTS.get(c.slug, 1) for c in categories]
        self.serials: dict[tuple, int] = {}
        self.local_places = local_places()
        self.citable: list[tuple[str, str]] = []  # (title, number) of notices made so far

    def notice(self) -> dict:
        rng = self.rng
        lead, codes = rng.choices(self.leads, weights=self.lead_weights)[0]
        bodies = [lead]
        if rng.random() < 0.2:
            bodies += rng.sample([b for b in self.joint if b != lead], rng.randint(1, 4))
        issued = self._date()
        regulation = rng.random() < 0.25
        roll = rng.random()
        place = rng.choice(PLACES) if roll < 0.25 else ""
        place = rng.choice(self.local_places) if 0.25 <= roll < 0.45 else place
        topic = place + rng.choice(self.source.topics)
        if regulation:
            title = f"{topic}{rng.choice(REGULATION_TYPES)}"
            title = title if rng.random() < 0.5 else f"{lead.name}关于印发《{title}》的通知"
        else:
            title = f"{lead.name}关于{topic}的{rng.choice(NOTICE_TYPES)}"
        target = int(rng.triangular(2000, 6000, 3200))
        unit_count = min(60, max(5, int(rng.lognormvariate(3.0, 0.55))))
        preamble = rng.choice(self.source.preambles)
        if place:
            preamble = f"为推动{place}{rng.choice(self.source.topics)}，{preamble}"
        if self.citable and rng.random() < 0.3:
            # Notices cite earlier ones (本文引用 / 被引用), now and then by a number alone.
            cited_title, cited_number = rng.choice(self.citable)
            cited = cited_number if rng.random() < 0.2 else f"《{cited_title}》（{cited_number}）"
            preamble = f"根据{cited}，{preamble}"
        units = self._units(regulation, unit_count, max(40, (target - len(preamble)) // unit_count))
        doc_number = self._doc_number(lead, codes, issued.year, regulation)
        if regulation and self.citable and rng.random() < 0.05:
            repealed_title, repealed_number = rng.choice(self.citable)
            parent, kind, label, number, heading, text = units[-1]
            repeal = f"{text}《{repealed_title}》（{repealed_number}）同时废止。"
            units[-1] = (parent, kind, label, number, heading, repeal)
        # Quoted, a title's own 《》 become 〈〉: 《国务院关于印发〈…条例〉的通知》.
        citable = (title.replace("《", "〈").replace("》", "〉"), doc_number)
        if doc_number and len(self.citable) < 5000:
            self.citable.append(citable)
        elif doc_number:
            self.citable[rng.randrange(5000)] = citable
        if rng.random() < 0.5:
            # One unit names a county or town as well: rare words in the body, not only the title.
            at = rng.randrange(1, len(units))
            parent, kind, label, number, heading, text = units[at]
            local = f"支持{rng.choice(self.local_places)}{rng.choice(self.source.topics)}。"
            units[at] = (parent, kind, label, number, heading, local + text)
        published = issued + datetime.timedelta(days=rng.randint(0, 20))
        return {
            "fields": {
                "title": title[:500],
                "doc_number": doc_number,
                "addressees": rng.choice(self.source.addressees) if not regulation else "",
                "preamble": preamble,
                "signatory": "　".join(body.name for body in bodies),
                "issued_date": issued,
                "published_date": published,
                "source": "中国政府网" if rng.random() < 0.6 else f"{lead.name}网站",
                "validity": self._validity(issued),
                "status": Notice.Status.DRAFT if rng.random() < 0.03 else Notice.Status.PUBLISHED,
            },
            "views": int(rng.paretovariate(1.2) * 20),
            "bodies": [(body.pk, body.name) for body in bodies],
            "categories": [
                c.pk
                for c in set(
                    rng.choices(self.categories, self.category_weights, k=rng.choice((1, 1, 1, 2)))
                )
            ],
            "units": units,
        }

    def _date(self) -> datetime.date:
        # More notices in recent years, as in any archive.
        start = datetime.date(1995, 1, 1)
        span = (datetime.date(2026, 12, 31) - start).days
        return start + datetime.timedelta(days=int(span * self.rng.random() ** 0.6))

    def _validity(self, issued: datetime.date) -> str:
        roll = self.rng.random()
        if issued.year >= 2026 and roll < 0.3:
            return Notice.Validity.NOT_YET_EFFECTIVE
        if issued.year < 2010 and roll < 0.35:
            return Notice.Validity.REPEALED
        if roll < 0.08:
            return Notice.Validity.AMENDED
        if roll < 0.12:
            return Notice.Validity.REPEALED
        return Notice.Validity.CURRENT

    def _doc_number(self, lead, codes, year, regulation) -> str:
        """A number unique for its lead issuer: 国发〔2019〕5号, or 国务院令第713号."""
        if self.rng.random() < 0.05:
            return ""
        for _ in range(1000):
            if regulation and lead.name == "国务院":
                key = (lead.pk, "令")
                number = "中华人民共和国国务院令第{}号"
            elif regulation:
                key = (lead.pk, "令", year)
                number = f"{lead.name}令{year}年第{{}}号"
            else:
                code = self.rng.choice(codes)
                key = (lead.pk, code, year)
                number = f"{code}〔{year}〕{{}}号"
            serial = self.serials.get(key, 0) + self.rng.randint(1, 12)
            self.serials[key] = serial
            number = number.format(serial)
            normalized = parse_doc_number(number).normalized
            if (lead.pk, normalized) not in self.taken:
                self.taken.add((lead.pk, normalized))
                return number
        return ""

    def _units(self, regulation: bool, count: int, chars: int) -> list[tuple]:
        """Units in document order: (parent index or None, kind, label, number, heading, text)."""
        rng, source = self.rng, self.source
        units = []
        chapters = min(count // 3 + 1, rng.randint(2, 8))
        sizes = [1] * chapters
        for _ in range(count - chapters):
            sizes[rng.randrange(chapters)] += 1
        article = 0
        for c, size in enumerate(sizes, start=1):
            parent = len(units)
            if regulation:
                heading = (
                    "总则"
                    if c == 1
                    else "附则"
                    if c == chapters > 2
                    else rng.choice(source.article_chapters)
                )
                units.append((None, "chapter", f"第{chinese_number(c)}章", c, heading, ""))
            else:
                intro = source.sample_sentences(rng, chars // 2) if rng.random() < 0.3 else ""
                heading = rng.choice(source.outline_headings)
                units.append((None, "chapter", f"{chinese_number(c)}、", c, heading, intro))
            for s in range(1, size):
                text = source.sample_sentences(rng, chars)
                if regulation:
                    article += 1
                    units.append(
                        (parent, "article", f"第{chinese_number(article)}条", article, "", text)
                    )
                else:
                    heading = rng.choice(source.section_headings)
                    units.append((parent, "section", f"（{chinese_number(s)}）", s, heading, text))
        return units
