from django import forms

from . import uploads
from .models import Category
from .textfiles import SUFFIXES, UndecodableText, read_document

# One limit for a paste and a file (settings.DATA_UPLOAD_MAX_MEMORY_SIZE leaves room above it).
MAX_IMPORT_BYTES = 5 * 1024 * 1024


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
        help_text=(
            "Word（.docx）、有文字层的 PDF、网页（.html）或 UTF-8、GB18030、Big5 编码的"
            " .txt / .md 文件，不超过 5 MB。"
        ),
    )
    # What a previewed file's text is (html / text), kept for the save that follows …
    source_kind = forms.CharField(required=False, widget=forms.HiddenInput)
    # … and the file itself, waiting in storage (documents.uploads), kept with the notice.
    source_upload = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
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
        if not upload.name.lower().endswith(SUFFIXES):
            raise forms.ValidationError("只接受 .docx、.pdf、.html、.htm、.txt 或 .md 文件。")
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("文件超过 5 MB。")
        data = upload.read()
        try:
            document = read_document(upload.name, data)
        except UndecodableText as error:
            raise forms.ValidationError(f"{error}。") from error
        self.uploaded = (upload.name, data)
        return document

    def clean(self):
        cleaned = super().clean()
        document = cleaned.get("file")
        cleaned["source_file"] = None
        if document:
            text, html = document.text, document.html
            cleaned["source_file"] = self.uploaded
        else:
            token = cleaned.get("source_upload")
            if token:
                cleaned["source_file"] = uploads.stashed_upload(token)
                if cleaned["source_file"] is None:
                    raise forms.ValidationError("预览时上传的原始文件已失效，请重新上传文件。")
            # A paste is looked at for markup, unless it is a file's text previewed before.
            text, html = (
                cleaned.get("text") or "",
                {"html": True, "text": False}.get(cleaned.get("source_kind")),
            )
        if not self.errors and not text.strip():
            raise forms.ValidationError("请粘贴文件全文或上传文件。")
        if len(text.encode()) > MAX_IMPORT_BYTES:
            # The text stays in the box: the editor shortens it rather than pasting it again.
            self.add_error(
                "text", "全文超过 5 MB，请删去与文件无关的部分（如整页的菜单、附表）后再预览。"
            )
        cleaned["source_text"] = text
        cleaned["source_is_html"] = html
        return cleaned

    def source_kind_for_save(self) -> str:
        """What the text saved after this preview is: a file's kind (html / text), or, for a
        paste, nothing (its markup is looked at)."""
        html = self.cleaned_data["source_is_html"]
        return "" if html is None else ("html" if html else "text")
