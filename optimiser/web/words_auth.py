"""The login page's words in French, English and Arabic.

The failure message is the same for an unknown name and a wrong password, so the page does
not tell which user names exist.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "fr": {"login_title": "Connexion",
           "login_intro": "Connectez-vous pour accéder aux plans et aux calculs.",
           "login_user": "Identifiant", "login_password": "Mot de passe",
           "login_submit": "Se connecter",
           "login_failed": "Identifiant ou mot de passe incorrect.",
           "login_locked": "Trop d'essais infructueux : réessayez dans quelques minutes."},
    "en": {"login_title": "Log in",
           "login_intro": "Log in to see the plans and the runs.",
           "login_user": "User name", "login_password": "Password",
           "login_submit": "Log in",
           "login_failed": "Wrong user name or password.",
           "login_locked": "Too many failed attempts: try again in a few minutes."},
    "ar": {"login_title": "تسجيل الدخول",
           "login_intro": "سجّل الدخول للاطلاع على الخطط والحسابات.",
           "login_user": "اسم المستخدم", "login_password": "كلمة المرور",
           "login_submit": "دخول",
           "login_failed": "اسم المستخدم أو كلمة المرور غير صحيحة.",
           "login_locked": "محاولات فاشلة كثيرة: أعد المحاولة بعد بضع دقائق."},
}
