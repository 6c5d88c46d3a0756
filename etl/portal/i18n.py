"""Every sentence the portal shows, in Spanish (the default) and English.

Written for officials who are not engineers: what happened and what to do next, in plain words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

LANGS = ("es", "en")
DEFAULT_LANG = "es"

_MONTHS = {
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

STRINGS: dict[str, tuple[str, str]] = {
    # layout
    "app_name": ("Observatorio — Portal de envíos", "Observatorio — Submission portal"),
    "skip": ("Saltar al contenido", "Skip to content"),
    "nav": ("Menú principal", "Main menu"),
    "nav_upload": ("Enviar archivo", "Send a file"),
    "nav_history": ("Historial", "History"),
    "nav_status": ("Estado general", "Overall status"),
    "logout": ("Salir", "Log out"),
    "other_lang": ("English", "Español"),
    "other_lang_label": ("Switch to English", "Cambiar a español"),
    "signed_in_as": ("Cuenta de {who}", "Account of {who}"),
    "engineer_account": ("ingeniería de datos", "data engineering"),
    "footer": (
        "Los archivos se guardan cifrados y nunca se muestran de vuelta. Este portal no muestra datos personales.",
        "Files are stored encrypted and never shown back. This portal shows no personal data.",
    ),
    # login
    "login_title": ("Ingresar", "Log in"),
    "login_intro": (
        "Ingrese con la cuenta de su institución para enviar el archivo mensual.",
        "Log in with your institution's account to send the monthly file.",
    ),
    "email": ("Correo electrónico", "E-mail"),
    "password": ("Contraseña", "Password"),
    "login_button": ("Ingresar", "Log in"),
    "login_failed": ("Correo o contraseña incorrectos.", "Wrong e-mail or password."),
    "login_blocked": (
        "Demasiados intentos fallidos. Espere {minutes} minutos e intente de nuevo, o pida ayuda al equipo del Observatorio.",
        "Too many failed attempts. Wait {minutes} minutes and try again, or ask the Observatorio team for help.",
    ),
    "logged_out": ("Cerró la sesión.", "You are logged out."),
    # upload
    "upload_title": ("Enviar el archivo del mes", "Send the month's file"),
    "institution": ("Institución", "Institution"),
    "month": ("Mes que cubre el archivo", "Month the file covers"),
    "file": ("Archivo", "File"),
    "file_hint": ("Formato esperado: {format}. Tamaño máximo: {mb} MB.", "Expected format: {format}. Maximum size: {mb} MB."),
    "upload_button": ("Enviar y validar", "Send and validate"),
    "upload_wait": (
        "La respuesta aparece en esta página en unos segundos: aceptado, o qué corregir.",
        "The answer appears on this page within seconds: accepted, or what to fix.",
    ),
    "upload_engineer_only": (
        "Su cuenta no pertenece a una institución: no puede enviar archivos.",
        "Your account does not belong to an institution: it cannot send files.",
    ),
    "no_file": ("Elija el archivo a enviar.", "Choose the file to send."),
    "bad_month": ("Elija un mes de la lista.", "Choose a month from the list."),
    "bad_form": ("El formulario no se pudo leer. Vuelva a cargar la página e intente de nuevo.",
                 "The form could not be read. Reload the page and try again."),
    # result
    "result_title": ("Resultado del envío", "Submission result"),
    "accepted_head": ("ACEPTADO: el archivo de {month} fue recibido.", "ACCEPTED: the file for {month} was received."),
    "accepted_zero": (
        "Es un informe de cero casos para el mes: queda registrado como tal (no como un mes faltante).",
        "It is a zero-case report for the month: it is recorded as such (not as a missing month).",
    ),
    "accepted_same": ("Este mismo archivo ya estaba recibido: no se cambió nada.",
                      "This same file had already been received: nothing changed."),
    "accepted_next": (
        "No tiene que hacer nada más. Si después corrige el archivo, envíelo completo de nuevo: reemplaza al anterior.",
        "Nothing else to do. If you correct the file later, send it again in full: it replaces the earlier one.",
    ),
    "rejected_head": ("RECHAZADO: el archivo de {month} no se pudo aceptar.", "REJECTED: the file for {month} could not be accepted."),
    "rejected_next": (
        "Corrija en su sistema lo que indica la tabla y vuelva a enviar el archivo completo. Nada de este archivo quedó cargado.",
        "Fix in your system what the table says and send the whole file again. Nothing from this file was loaded.",
    ),
    "counts": (
        "Registros leídos: {read}. Aceptados: {accepted}. Duplicados idénticos descartados: {dropped}. Errores: {errors}. Advertencias: {warnings}.",
        "Records read: {read}. Accepted: {accepted}. Identical duplicates dropped: {dropped}. Errors: {errors}. Warnings: {warnings}.",
    ),
    "errors_title": ("Qué corregir (errores)", "What to fix (errors)"),
    "warnings_title": ("Para revisar (advertencias: el archivo se acepta igual)", "Worth reviewing (warnings: the file is accepted anyway)"),
    "notices_title": ("Avisos", "Notices"),
    "col_row": ("Fila", "Row"),
    "col_case": ("Caso", "Case"),
    "col_column": ("Columna", "Column"),
    "col_field": ("Campo", "Field"),
    "col_fix": ("Qué dice la validación", "What validation says"),
    "whole_file": ("todo el archivo", "whole file"),
    "more_findings": ("… y {n} observaciones más: descargue el informe JSON para verlas todas.",
                      "… and {n} more findings: download the JSON report to see them all."),
    "download_html": ("Descargar el informe (HTML)", "Download the report (HTML)"),
    "download_json": ("Descargar el informe (JSON)", "Download the report (JSON)"),
    "go_history": ("Ver el historial de la institución", "See the institution's history"),
    "send_another": ("Enviar otro archivo", "Send another file"),
    "too_large": ("El archivo supera el tamaño máximo de {mb} MB. Divida el envío o consulte al equipo del Observatorio.",
                  "The file is larger than the {mb} MB limit. Ask the Observatorio team for help."),
    # history
    "history_title": ("Historial de envíos — {institution}", "Submission history — {institution}"),
    "history_intro": (
        "Cada mes de los últimos dos años: su estado y los informes de validación de cada envío.",
        "Each month of the last two years: its state and the validation report of each submission.",
    ),
    "col_month": ("Mes", "Month"),
    "col_state": ("Estado", "State"),
    "col_submissions": ("Envíos e informes", "Submissions and reports"),
    "no_submissions": ("Sin envíos", "No submissions"),
    "submission_line": ("{when}: {result}", "{when}: {result}"),
    "view_report": ("ver el informe", "view the report"),
    "report_html": ("informe HTML", "HTML report"),
    "report_json": ("informe JSON", "JSON report"),
    "in_force": ("vigente", "in force"),
    "sub_accepted": ("aceptado", "accepted"),
    "sub_rejected": ("rechazado", "rejected"),
    "sub_superseded": ("reemplazado", "replaced"),
    "sub_loaded": ("cargado", "loaded"),
    "sub_received": ("recibido", "received"),
    # states
    "state_processing": ("Procesando", "Processing"),
    "state_published": ("Publicado (cargado)", "Published (loaded)"),
    "state_zero": ("Informe de cero casos", "Zero-case report"),
    "state_accepted": ("Aceptado", "Accepted"),
    "state_rejected": ("Rechazado", "Rejected"),
    "state_missing": ("Falta", "Missing"),
    "state_open": ("Mes en curso", "Month in progress"),
    # engineer status
    "status_title": ("Estado de todas las instituciones", "State of every institution"),
    "status_intro": (
        "Cada institución y mes. «Procesar» carga los archivos vigentes del mes y actualiza los indicadores.",
        "Every institution and month. «Process» loads the month's files in force and refreshes the indicators.",
    ),
    "col_action": ("Acción", "Action"),
    "process_button": ("Procesar {month}", "Process {month}"),
    "nothing_to_process": ("No hay archivos vigentes para {month}: nada que procesar.",
                           "There are no files in force for {month}: nothing to process."),
    "process_started": ("Procesando {month}. Esta página se actualiza sola.", "Processing {month}. This page refreshes itself."),
    "process_busy": ("Ya hay un procesamiento en curso: espere a que termine.", "A run is already going on: wait for it to finish."),
    "recent_runs": ("Últimos procesamientos", "Recent runs"),
    "run_line_running": ("{month} ({institutions}): procesando desde {when}", "{month} ({institutions}): processing since {when}"),
    "run_line_ok": ("{month} ({institutions}): terminado sin errores, {when}", "{month} ({institutions}): finished without errors, {when}"),
    "run_line_failed": ("{month} ({institutions}): terminó con {failed} fallas, {when}; ver la interfaz de Dagster",
                        "{month} ({institutions}): finished with {failed} failures, {when}; see the Dagster UI"),
    # errors
    "forbidden_title": ("Sin acceso", "No access"),
    "forbidden": ("Su cuenta no tiene acceso a esta página.", "Your account has no access to this page."),
    "not_found_title": ("No encontrado", "Not found"),
    "not_found": ("No existe esta página, o su cuenta no tiene acceso a ella.", "This page does not exist, or your account has no access to it."),
    "csrf_title": ("Formulario vencido", "Form expired"),
    "csrf": ("El formulario venció o no es válido. Vuelva a cargar la página e intente de nuevo.",
             "The form expired or is not valid. Reload the page and try again."),
    "error_title": ("Algo falló", "Something failed"),
    "error": ("Ocurrió un error inesperado. El equipo del Observatorio fue avisado; intente de nuevo más tarde.",
              "An unexpected error occurred. The Observatorio team has been told; try again later."),
    "back_home": ("Volver al inicio", "Back to the start"),
}

FORMATS: dict[str, tuple[str, str]] = {
    "MP": ("CSV separado por punto y coma (;), Windows-1252", "CSV separated by semicolons (;), Windows-1252"),
    "PN": ("libro de Excel .xlsx con la hoja «Denuncias»", "Excel .xlsx workbook with the «Denuncias» sheet"),
    "MINNA": ("JSON exportado del sistema de casos", "JSON exported from the case system"),
    "MINMUJER": ("CSV separado por comas (,), UTF-8", "CSV separated by commas (,), UTF-8"),
}


def text(lang: str, key: str, **params: object) -> str:
    template = STRINGS[key][0 if lang != "en" else 1]
    return template.format(**params) if params else template


def translator(lang: str) -> Callable[..., str]:
    def t(key: str, **params: object) -> str:
        return text(lang, key, **params)

    return t


def month_label(period: str, lang: str) -> str:
    year, month = period.split("-")
    name = _MONTHS["en" if lang == "en" else "es"][int(month) - 1]
    return f"{name} {year}" if lang == "en" else f"{name} de {year}"


def file_format(institution: str, lang: str) -> str:
    return FORMATS[institution][0 if lang != "en" else 1]


def when(moment: dt.datetime | None) -> str:
    """A timestamp in Paraguay's time (where the officials are), to the minute."""
    if moment is None:
        return "—"
    try:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo("America/Asuncion"))
    except Exception:  # no time-zone database on this machine: UTC, and say so
        return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


def institution_label(code: str, lang: str) -> str:
    from warehouse.codelists import codelists

    entry = codelists()["institution"][code]
    return entry["label_en" if lang == "en" else "label_es"]
