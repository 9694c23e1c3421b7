"""What each action of the audit log means, in words; the log itself keeps the code.

An auditor filters and exports by code (``case.assign``); a person reading the page reads
"phản ánh: giao đơn vị". A code without a label (a new action) is shown as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "campaign.create": _("survey campaign created"),
    "campaign.open": _("survey campaign opened"),
    "campaign.closed": _("survey campaign closed"),
    "campaign.published": _("survey results published"),
    "campaign.settings": _("campaign settings changed"),
    "campaign.scope": _("units of the campaign changed"),
    "campaign.quotas_apply": _("quotas applied"),
    "campaign.quotas_by_kind": _("quotas set by unit kind"),
    "campaign.volumes_import": _("file volumes imported"),
    "campaign.volumes_set": _("file volumes set"),
    "quota.change": _("quota changed"),
    "case.submit": _("case: sent"),
    "case.from_answer": _("case: made from a survey answer"),
    "case.assign": _("case: assigned to a unit"),
    "case.start": _("case: handling started"),
    "case.answer": _("case: answered"),
    "case.close": _("case: closed"),
    "case.reopen": _("case: reopened by the sender"),
    "case.consent": _("case: publishing agreement"),
    "case.remind": _("case: reminder to the unit"),
    "case.escalate": _("case: escalated to the coordinators"),
    "case.contacts_delete": _("senders' contacts deleted"),
    "holiday.add": _("public holiday added"),
    "holiday.delete": _("public holiday deleted"),
    "holiday.import": _("public holidays imported"),
    "desk.create": _("desk added"),
    "desk.update": _("desk changed"),
    "kiosk.create": _("kiosk registered"),
    "kiosk.revoke": _("kiosk revoked"),
    "instrument.freeze": _("questionnaire version frozen"),
    "instrument.new_version": _("new questionnaire version"),
    "report.request": _("document requested"),
    "results.compute": _("results computed"),
    "results.publish": _("results published"),
    "review.accept": _("answers accepted after review"),
    "review.reject": _("answers rejected after review"),
    "service.import": _("procedures imported"),
    "unit.import": _("units imported"),
    "unit.merge": _("units merged"),
    "unit.split": _("unit split"),
    "unit.update": _("unit changed"),
    "user.create": _("user created"),
    "user.lock": _("user locked"),
    "user.unlock": _("user unlocked"),
    "user.password_reset": _("password reset by a coordinator"),
    "user.password_change": _("own password changed"),
    "user.role_grant": _("role granted"),
    "user.role_revoke": _("role removed"),
    "totp.confirm": _("authenticator app added"),
    "totp.remove": _("authenticator app removed"),
}


def action_label(code: str) -> str:
    return str(LABELS[code]) if code in LABELS else code
