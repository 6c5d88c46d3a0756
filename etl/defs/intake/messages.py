"""What each rule tells the official who sent the file, in Spanish (default) and English.

Messages say what was expected and how to fix it. They are built only from a finding's row, column
and params (allowed codes, limits, formats, counts): there is no way for a template to print a
value from the file, which is what keeps reports free of personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from etl.defs.intake.findings import Finding, ParamValue

Lang = Literal["es", "en"]
LANGS: tuple[Lang, ...] = ("es", "en")

_FILE_KINDS: Mapping[str, tuple[str, str]] = {
    "png": ("una imagen PNG", "a PNG image"),
    "jpeg": ("una imagen JPEG", "a JPEG image"),
    "gif": ("una imagen GIF", "a GIF image"),
    "pdf": ("un documento PDF", "a PDF document"),
    "zip": ("un archivo ZIP (o un libro de Excel)", "a ZIP archive (or an Excel workbook)"),
    "ole2": (
        "un libro de Excel antiguo (.xls), un libro protegido con contraseña u otro documento de Office",
        "an old Excel workbook (.xls), a password-protected workbook or another Office file",
    ),
    "gzip": ("un archivo comprimido gzip", "a gzip archive"),
    "utf16": ("texto UTF-16 (\"texto Unicode\" de Excel)", "UTF-16 text (Excel's \"Unicode text\")"),
    "binary": ("datos binarios, no texto", "binary data, not text"),
    "text": ("texto (por ejemplo un CSV)", "text (for example a CSV)"),
    "json": ("JSON", "JSON"),
}
_EXPECTED_KINDS: Mapping[str, tuple[str, str]] = {
    "csv": ("un archivo CSV de texto", "a CSV text file"),
    "xlsx": ("un libro de Excel .xlsx", "an Excel .xlsx workbook"),
    "json": ("un archivo JSON", "a JSON file"),
}
_DATE_FORMATS: Mapping[str, tuple[str, str]] = {
    "%d/%m/%Y": ("dd/mm/aaaa (p. ej. 05/04/2025)", "dd/mm/yyyy (e.g. 05/04/2025)"),
    "%Y-%m-%d": ("aaaa-mm-dd (p. ej. 2025-04-05)", "yyyy-mm-dd (e.g. 2025-04-05)"),
}
_TARGET_FALLBACK: Mapping[str, tuple[str, str]] = {
    "nationality": ("nacionalidad no reconocida: se registró como \"otro país\"", "nationality not recognised: recorded as \"other country\""),
    "exploitation_country": ("país no reconocido: se registró como \"otro país\"", "country not recognised: recorded as \"other country\""),
    "platforms": ("plataforma no reconocida: se registró como \"otra plataforma\"", "platform not recognised: recorded as \"other platform\""),
}

# rule -> (Spanish, English). `{name}` placeholders come from the finding's params only.
_TEMPLATES: Mapping[str, tuple[str, str]] = {
    "INSTITUTION_UNKNOWN": (
        "La institución declarada no existe. Use una de: {allowed}.",
        "The declared institution does not exist. Use one of: {allowed}.",
    ),
    "PERIOD_INVALID": (
        "El período declarado no es válido. Use el formato AAAA-MM (p. ej. 2025-04).",
        "The declared period is not valid. Use the format YYYY-MM (e.g. 2025-04).",
    ),
    "PERIOD_IN_FUTURE": (
        "El período declarado {declared} todavía no comenzó: un archivo informa un mes ya iniciado.",
        "The declared period {declared} has not started yet: a file reports a month that has begun.",
    ),
    "FILE_EMPTY": (
        "El archivo está vacío. Un mes sin casos se informa con la fila de encabezados y ninguna fila de datos.",
        "The file is empty. A month without cases is reported with the header row and no data rows.",
    ),
    "FILE_TOO_LARGE": (
        "El archivo pesa {size_mb} MB y el máximo aceptado es {limit_mb} MB.",
        "The file is {size_mb} MB and the maximum accepted is {limit_mb} MB.",
    ),
    "FILE_TYPE": (
        "El contenido del archivo es {found_label}; se esperaba {expected_label}. Exporte el archivo desde el sistema de la institución sin cambiarle el formato.",
        "The file's content is {found_label}; expected {expected_label}. Export it from the institution's system without changing its format.",
    ),
    "ENCODING_INVALID": (
        "El archivo no se puede leer como texto {expected} ni UTF-8. Guárdelo con la codificación {expected}.",
        "The file cannot be read as {expected} or UTF-8 text. Save it with the {expected} encoding.",
    ),
    "ENCODING_FALLBACK": (
        "El archivo está codificado en {found} y el contrato indica {expected}: se leyó como {found}. No hace falta reenviarlo.",
        "The file is encoded as {found} while the contract says {expected}: it was read as {found}. No need to resend it.",
    ),
    "CSV_MALFORMED": (
        "La estructura CSV no es válida (probablemente comillas sin cerrar). Revise las comillas dobles de esa fila.",
        "The CSV structure is not valid (probably an unclosed quote). Check the double quotes of that row.",
    ),
    "FIELD_TOO_LARGE": (
        "un campo supera el máximo de {limit} caracteres. Revise si el texto se pegó varias veces o si falta cerrar una comilla.",
        "a field exceeds the maximum of {limit} characters. Check whether text was pasted repeatedly or a quote was left open.",
    ),
    "HEADER_INVALID": (
        "No se reconoce la fila de encabezados: la primera fila debe tener los nombres de columna del contrato separados por \"{delimiter}\" (p. ej. {example}).",
        "The header row is not recognised: the first row must hold the contract's column names separated by \"{delimiter}\" (e.g. {example}).",
    ),
    "HEADER_NOT_FOUND": (
        "No se encontró la fila de encabezados en las primeras {rows} filas de la hoja: debe tener la columna `{marker}` y las demás columnas del contrato.",
        "The header row was not found in the first {rows} rows of the sheet: it must hold the column `{marker}` and the contract's other columns.",
    ),
    "SHEET_MISSING": (
        "El libro no tiene la hoja `{sheet}` y tiene varias hojas: no se sabe cuál leer. Nombre `{sheet}` la hoja de denuncias.",
        "The workbook has no sheet `{sheet}` and several sheets: it is unclear which to read. Name the complaints sheet `{sheet}`.",
    ),
    "SHEET_SUBSTITUTED": (
        "El libro no tiene la hoja `{sheet}`: se leyó su única hoja.",
        "The workbook has no sheet `{sheet}`: its only sheet was read.",
    ),
    "XLSX_NOT_ZIP": (
        "El archivo no es un libro de Excel .xlsx: su contenido es {found_label}. Guárdelo como \"Libro de Excel (.xlsx)\".",
        "The file is not an Excel .xlsx workbook: its content is {found_label}. Save it as \"Excel Workbook (.xlsx)\".",
    ),
    "XLSX_CORRUPT": (
        "El libro de Excel está dañado o incompleto y no se puede abrir. Vuelva a exportarlo.",
        "The Excel workbook is damaged or incomplete and cannot be opened. Export it again.",
    ),
    "XLSX_NO_WORKSHEET": (
        "El archivo comprimido no contiene una hoja de cálculo de Excel.",
        "The archive holds no Excel worksheet.",
    ),
    "XLSX_BOMB": (
        "El libro de Excel descomprimido superaría {limit_mb} MB (o una parte se comprime de forma anómala): se rechazó sin abrirlo.",
        "The Excel workbook would exceed {limit_mb} MB once decompressed (or part of it compresses abnormally): it was refused unopened.",
    ),
    "XLSX_DTD": (
        "El libro de Excel contiene declaraciones XML (DTD/entidades) que Excel nunca genera: se rechazó por seguridad.",
        "The Excel workbook contains XML declarations (DTD/entities) that Excel never writes: refused for safety.",
    ),
    "JSON_INVALID": (
        "El archivo no es JSON válido (error cerca de la línea {line}, columna {col}); puede estar cortado. Vuelva a exportarlo.",
        "The file is not valid JSON (error near line {line}, column {col}); it may be truncated. Export it again.",
    ),
    "JSON_UNREADABLE_VALUE": (
        "El JSON contiene un valor que no se puede leer (por ejemplo, un número de miles de dígitos). Vuelva a exportarlo.",
        "The JSON holds a value that cannot be read (for example, a number thousands of digits long). Export it again.",
    ),
    "JSON_TOO_DEEP": (
        "El JSON está anidado a una profundidad anómala y no se procesa.",
        "The JSON is nested abnormally deep and is not processed.",
    ),
    "JSON_STRUCTURE": (
        "El JSON debe ser un objeto con los campos {fields}, y `{records_field}` debe ser una lista.",
        "The JSON must be an object with the fields {fields}, and `{records_field}` must be a list.",
    ),
    "INSTITUTION_MISMATCH": (
        "El archivo declara ser de {found} pero se subió como {declared}. Suba el archivo de la institución correcta.",
        "The file says it comes from {found} but was uploaded as {declared}. Upload the right institution's file.",
    ),
    "PERIOD_MISMATCH": (
        "El archivo declara el período {found} pero se subió como {declared}. Suba el archivo del mes correcto o corrija el período.",
        "The file declares the period {found} but was uploaded as {declared}. Upload the right month's file or fix the period.",
    ),
    "PERIOD_DATES_MISMATCH": (
        "El {share}% de las fechas de registro son de {found}, no de {declared}: probablemente se subió el archivo de otro mes.",
        "{share}% of the registration dates are in {found}, not {declared}: probably another month's file was uploaded.",
    ),
    "TITLE_PERIOD_MISMATCH": (
        "El título de la hoja menciona {found} y el archivo se subió como {declared}. Verifique el mes.",
        "The sheet title mentions {found} and the file was uploaded as {declared}. Check the month.",
    ),
    "TOTAL_MISMATCH": (
        "La línea TOTAL indica {declared} registros y el archivo contiene {found}.",
        "The TOTAL line says {declared} records and the file holds {found}.",
    ),
    "TOTAL_INVALID": (
        "La línea TOTAL no tiene un número de registros legible.",
        "The TOTAL line has no readable number of records.",
    ),
    "DATA_AFTER_FOOTER": (
        "hay datos después de la línea TOTAL. La línea TOTAL debe ser la última.",
        "there is data after the TOTAL line. The TOTAL line must be the last one.",
    ),
    "COLUMN_UNKNOWN": (
        "la columna no está en el contrato y se ignoró (sus datos no se guardan).",
        "the column is not in the contract and was ignored (its data is not kept).",
    ),
    "FIELD_UNKNOWN": (
        "el campo no está en el contrato y se ignoró en {count} casos (sus datos no se guardan).",
        "the field is not in the contract and was ignored in {count} cases (its data is not kept).",
    ),
    "COLUMN_DUPLICATE": (
        "la columna aparece más de una vez en el encabezado. Deje una sola.",
        "the column appears more than once in the header. Keep only one.",
    ),
    "COLUMN_MISSING": (
        "falta esta columna obligatoria del contrato. Agregue la columna (puede quedar vacía si el dato no se conoce).",
        "this mandatory contract column is missing. Add the column (it may be blank where the value is unknown).",
    ),
    "ROW_SHAPE": (
        "la fila tiene {found} campos y el encabezado {expected}. Revise separadores \"{delimiter}\" o comillas sin cerrar en esa fila.",
        "the row has {found} fields and the header {expected}. Check for \"{delimiter}\" separators or unclosed quotes in that row.",
    ),
    "RECORD_NOT_OBJECT": (
        "cada elemento de la lista de casos debe ser un objeto JSON.",
        "each element of the list of cases must be a JSON object.",
    ),
    "UNNAMED_COLUMN_DATA": (
        "hay {count} celdas con datos a la derecha de la última columna con encabezado: se ignoraron.",
        "{count} cells to the right of the last headed column hold data: they were ignored.",
    ),
    "TOO_MANY_RECORDS": (
        "El archivo tiene más de {limit} registros, el máximo aceptado por archivo mensual.",
        "The file holds more than {limit} records, the maximum accepted for a monthly file.",
    ),
    "REQUIRED": (
        "el dato es obligatorio y está vacío.",
        "the value is mandatory and is blank.",
    ),
    "KEY_FORMAT": (
        "el número no tiene el formato esperado (p. ej. {example}).",
        "the number does not have the expected format (e.g. {example}).",
    ),
    "DATE_INVALID": (
        "fecha no válida. Use el formato {formats}.",
        "invalid date. Use the format {formats}.",
    ),
    "DATE_IN_FUTURE": (
        "la fecha es posterior a hoy ({today}).",
        "the date is later than today ({today}).",
    ),
    "DATE_OUTSIDE_PERIOD": (
        "la fecha de registro debe estar dentro del mes declarado, del {first} al {last}. Si el caso es de otro mes, va en el archivo de ese mes.",
        "the registration date must fall inside the declared month, {first} to {last}. A case of another month belongs in that month's file.",
    ),
    "DATE_AFTER_REGISTRATION": (
        "la fecha del hecho es posterior a la fecha de registro (`{registration_column}`). Verifique ambas fechas.",
        "the date of the facts is later than the registration date (`{registration_column}`). Check both dates.",
    ),
    "CODE_UNKNOWN": (
        "valor no reconocido para esta columna. Use uno de los valores del contrato.",
        "value not recognised for this column. Use one of the contract's values.",
    ),
    "CODE_UNKNOWN:values": (
        "valor no reconocido. Use uno de: {allowed}; o deje vacío / NO CONSTA si no se sabe.",
        "value not recognised. Use one of: {allowed}; or leave blank / NO CONSTA when unknown.",
    ),
    "CODE_UNKNOWN:multi": (
        "la lista tiene un valor no reconocido. Cada valor debe ser uno de: {allowed}.",
        "the list holds a value that is not recognised. Each value must be one of: {allowed}.",
    ),
    "CODE_UNKNOWN:departments": (
        "departamento no reconocido. Use uno de los 18 departamentos (p. ej. ALTO PARANA) o CAPITAL.",
        "department not recognised. Use one of the 18 departments (e.g. ALTO PARANA) or CAPITAL.",
    ),
    "CODE_UNKNOWN:department_codes": (
        "código de departamento no reconocido. Use el código INE de dos dígitos, de \"00\" (Asunción) a \"17\" (Alto Paraguay).",
        "department code not recognised. Use the two-digit INE code, \"00\" (Asunción) to \"17\" (Alto Paraguay).",
    ),
    "NUMBER_INVALID": (
        "la edad debe ser un número entero de años (p. ej. 17 o \"17 años\").",
        "the age must be a whole number of years (e.g. 17 or \"17 años\").",
    ),
    "AGE_IMPLAUSIBLE": (
        "la edad debe estar entre {min} y {max} años.",
        "the age must be between {min} and {max} years.",
    ),
    "AGE_IMPLAUSIBLE:derived": (
        "la fecha de nacimiento da una edad al registro fuera de {min} a {max} años (o es posterior al registro). Verifique la fecha.",
        "the birth date gives an age at registration outside {min} to {max} years (or falls after registration). Check the date.",
    ),
    "AGE_NOT_MINOR": (
        "el registro es de niñas, niños y adolescentes: la edad al ingreso debe ser de {min} a {max} años. Una persona adulta no corresponde a este archivo.",
        "the register holds children and adolescents: the age at intake must be {min} to {max} years. An adult does not belong in this file.",
    ),
    "AGE_NOT_MINOR:derived": (
        "la fecha de nacimiento da una edad al ingreso de 18 años o más: el registro es de niñas, niños y adolescentes (de {min} a {max} años).",
        "the birth date gives an age at intake of 18 or more: the register holds children and adolescents ({min} to {max} years).",
    ),
    "AGE_NOT_ADULT": (
        "la institución atiende a mujeres adultas: la edad debe ser de {min} años o más.",
        "the institution serves adult women: the age must be {min} or more.",
    ),
    "AGE_NOT_ADULT:derived": (
        "la fecha de nacimiento da una edad menor de {min} años: la institución atiende a mujeres adultas.",
        "the birth date gives an age under {min}: the institution serves adult women.",
    ),
    "CEDULA_FORMAT": (
        "la cédula debe tener de 5 a 8 dígitos, con o sin puntos (p. ej. 4.567.890).",
        "the cédula must have 5 to 8 digits, with or without dots (e.g. 4.567.890).",
    ),
    "DOCUMENT_FORMAT": (
        "el número de documento debe tener de 3 a 20 letras o dígitos.",
        "the document number must have 3 to 20 letters or digits.",
    ),
    "DUPLICATE_CONFLICT": (
        "el mismo `{key_column}` y la misma víctima aparecen también en {other_label} {other_rows} con datos distintos. Deje una sola fila por víctima, con los datos correctos.",
        "the same `{key_column}` and the same victim also appear in {other_label} {other_rows} with different data. Keep one row per victim, with the right data.",
    ),
    "DUPLICATE_DROPPED": (
        "es idéntica a {other_label} {first_row} y se descartó.",
        "is identical to {other_label} {first_row} and was dropped.",
    ),
    "VALUE_UNMATCHED": ("{fallback_es}.", "{fallback_en}."),
    "DISTRICT_UNMATCHED": (
        "distrito no encontrado en el censo 2022: se registró como desconocido. Use el nombre oficial del distrito.",
        "district not found in the 2022 census: recorded as unknown. Use the district's official name.",
    ),
    "DISTRICT_OTHER_DEPARTMENT": (
        "el distrito no pertenece al departamento indicado en `{department_column}`: se registró como desconocido.",
        "the district does not belong to the department given in `{department_column}`: recorded as unknown.",
    ),
    "DISTRICT_AMBIGUOUS": (
        "hay distritos con ese nombre en varios departamentos y el departamento no consta: se registró como desconocido.",
        "districts of that name exist in several departments and the department is unknown: recorded as unknown.",
    ),
    "NAME_NOT_SPLIT": (
        "no se pudieron separar apellidos y nombres: escriba \"APELLIDOS, Nombres\" con una coma.",
        "surnames and given names could not be told apart: write \"SURNAMES, Given names\" with a comma.",
    ),
    "GX_EVALUATION_ERROR": (
        "la regla `{check}` no se pudo evaluar (error interno del sistema, no del archivo). Avise al equipo del observatorio.",
        "the rule `{check}` could not be evaluated (an internal error, not the file's). Tell the observatory team.",
    ),
}

_LOCATION = {
    "es": {"row": "Fila", "case": "Caso", "column_row": "columna", "column_case": "campo", "Column_row": "Columna", "Column_case": "Campo"},
    "en": {"row": "Row", "case": "Case", "column_row": "column", "column_case": "field", "Column_row": "Column", "Column_case": "Field"},
}
_OTHER_LABEL = {("es", "row"): "la fila", ("es", "case"): "el caso", ("en", "row"): "row", ("en", "case"): "case"}


def rules() -> frozenset[str]:
    return frozenset(key.split(":")[0] for key in _TEMPLATES)


def _render_param(value: ParamValue) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _template(finding: Finding, lang: Lang) -> str:
    variant = finding.params.get("variant")
    key = f"{finding.rule}:{variant}" if variant else finding.rule
    templates = _TEMPLATES.get(key) or _TEMPLATES.get(finding.rule)
    if templates is None:
        raise KeyError(f"no message for rule {finding.rule}")
    return templates[0 if lang == "es" else 1]


def describe(finding: Finding, lang: Lang = "es", record_label: str = "row") -> str:
    """The message of one finding, without its location."""
    params: dict[str, str] = {k: _render_param(v) for k, v in finding.params.items()}
    index = 0 if lang == "es" else 1
    if "found" in finding.params and finding.rule in ("FILE_TYPE", "XLSX_NOT_ZIP"):
        params["found_label"] = _FILE_KINDS.get(str(finding.params["found"]), _FILE_KINDS["binary"])[index]
    if "expected" in finding.params and finding.rule == "FILE_TYPE":
        params["expected_label"] = _EXPECTED_KINDS[str(finding.params["expected"])][index]
    if "formats" in finding.params:
        formats = finding.params["formats"]
        formats = formats if isinstance(formats, tuple) else (str(formats),)
        labels = [_DATE_FORMATS.get(f, (f, f))[index] for f in formats]
        params["formats"] = (" o " if lang == "es" else " or ").join(labels)
    if finding.rule == "VALUE_UNMATCHED":
        fallback = _TARGET_FALLBACK.get(str(finding.params.get("target")), ("valor no reconocido", "value not recognised"))
        params["fallback_es"], params["fallback_en"] = fallback
    params["other_label"] = _OTHER_LABEL[(lang, record_label)]
    return _template(finding, lang).format(**params)


def locate(finding: Finding, lang: Lang = "es", record_label: str = "row") -> str:
    words = _LOCATION[lang]
    parts: list[str] = []
    if finding.row is not None:
        parts.append(f"{words[record_label]} {finding.row}")
    if finding.column is not None:
        key = f"column_{record_label}" if parts else f"Column_{record_label}"
        parts.append(f"{words[key]} `{finding.column}`")
    return ", ".join(parts)


def render(finding: Finding, lang: Lang = "es", record_label: str = "row") -> str:
    """"Fila 14, columna `DEPARTAMENTO_HECHO`: departamento no reconocido. ..." """
    location = locate(finding, lang, record_label)
    text = describe(finding, lang, record_label)
    if not location:
        return text[:1].upper() + text[1:]
    first_word = text.split(" ", 1)[0]
    if first_word[:1].isupper() and not first_word.isupper():
        text = text[:1].lower() + text[1:]  # "Fila 5: la línea TOTAL ...", not "Fila 5: La línea"
    return f"{location}: {text}"
