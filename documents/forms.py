from django import forms

from .models import Category
from .textfiles import UndecodableText, decode_text, is_html_file

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".md")


class ImportTextForm(forms.Form):
    """Paste a notice's raw text, or upload a file of it, to be parsed for review."""

    text = forms.CharField(
        label="粘贴全文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        help_text="可直接粘贴整个网页的文字（含菜单、页眉也可以），或 HTML 源码。",
    )
    file = forms.FileField(
        label="或上传文件",
        required=False,
        help_text="UTF-8、GB18030 或 Big5 编码的 .txt / .md / .html 文件，不超过 5 MB。",
    )
    categories = forms.ModelMultipleChoiceField(
        label="分类",
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if not upload.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError("只接受 .txt、.html、.htm 或 .md 文件。")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 5 MB。")
        try:
            return decode_text(upload.read())
        except UndecodableText as error:
            raise forms.ValidationError(f"{error}。") from error

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("file") or cleaned.get("text") or ""
        if not self.errors and not text.strip():
            raise forms.ValidationError("请粘贴文件全文或上传文件。")
        cleaned["source_text"] = text
        # A file is a web page by its name; a paste is looked at (None).
        upload = self.files.get("file") if cleaned.get("file") else None
        cleaned["source_is_html"] = is_html_file(upload.name) if upload else None
        return cleaned
