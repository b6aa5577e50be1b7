"""Third-party apps as the Chinese admin names them."""

from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes (the admin's login lockout), named in the admin's menu in Chinese."""

    verbose_name = "登录保护"
