"""The 15 categories of the seed page's menu, in menu order."""

from django.db import migrations

CATEGORIES = [
    ("十三五政策及新闻", "13th-five-year-plan"),
    ("光伏产业政策", "photovoltaic"),
    ("国家农业高新技术产业示范区政策", "agricultural-hi-tech-zones"),
    ("自贸区政策", "free-trade-zones"),
    ("区域经济政策", "regional-economy"),
    ("一带一路政策", "belt-and-road"),
    ("县域经济政策", "county-economy"),
    ("智慧城市政策", "smart-cities"),
    ("创新基金政策", "innovation-fund"),
    ("京津冀规划政策", "beijing-tianjin-hebei"),
    ("国家高新区政策", "national-hi-tech-zones"),
    ("火炬计划项目政策", "torch-program"),
    ("高新技术企业政策", "hi-tech-enterprises"),
    ("科技企业孵化器政策", "incubators"),
    ("创新型产业集群政策", "innovative-industrial-clusters"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("documents", "Category")
    for order, (name, slug) in enumerate(CATEGORIES, start=1):
        Category.objects.update_or_create(slug=slug, defaults={"name": name, "menu_order": order})


def remove_categories(apps, schema_editor):
    Category = apps.get_model("documents", "Category")
    Category.objects.filter(slug__in=[slug for _, slug in CATEGORIES], notices=None).delete()


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(add_categories, remove_categories)]
