# ruff: noqa: RUF001 -- word lists in Cyrillic, Greek and CJK scripts are meant to look like Latin ones
"""Line patterns of quoted history and signatures, in the languages and clients real mail comes from.

Each pattern answers a question about one line (or a few joined lines); ``quotes.py`` decides from the
sequence of answers where the reply ends.
"""

from __future__ import annotations

import re

# "On <date>, <someone> wrote:" -- the verb in the languages mail clients ship. Gathered from the clients'
# localisations as other reply parsers list them (talon's RE_ON_DATE_SMB_WROTE, zapier/email-reply-parser's
# languages_support.json, mail-parser-reply's MAIL_LANGUAGES, crisp's and t2bot's format tables; see decision 022).
_WROTE_VERBS = (
    r"wrote|writes|has written|schrieb|geschrieben|schreef|geschreven|a\s+[ée]crit|[ée]crit|"
    r"escribi[óo]|escribieron|escribiu|escreveu|escreveram|va\s+escriure|ha\s+escrit|"
    r"ha\s+scritto|hanno\s+scritto|scrisse|a\s+scris|au\s+scris|"
    r"skrev|skrive|skrifa[ðd]i|kirjoitti|kirjutas|rakstīja|rašė|"
    r"napisa[łl]\(?a?\)?|napisa[łl]a|napisana\s+przez|nades[łl]a[łl]|pisze|"
    r"naps[aá]l\(?a?\)?|napsala|nap[íi]sal\(?a?\)?|nap[íi]sala|napisao|napisala|je\s+napisal\(?a?\)?|"
    r"написал\(?а?\)?|написала|написав|написа|пише|писал|έγραψε|írta|yazd[ıi]|scrie|"
    r"đã\s+viết|menulis|כתב|כתבה|كتب|كتبت|نوشت|เขียน|wrote\s*-+"
)
# Scripts without spaces before the verb ("张三<a@b.cn>写道:"): no word boundary is asked for.
_CJK_WROTE_VERBS = r"写道|寫道|來信|书写|書きました|のメッセージ|님이\s*작성|작성:"
WROTE_VERB = re.compile(rf"(?:^|[\s,\"'>)/])(?:{_WROTE_VERBS})|{_CJK_WROTE_VERBS}", re.IGNORECASE)

# Words that open an attribution line ("On", "Le", "Am", ...), before its date.
_OPENERS = (
    r"on|le|am|el|em|il|op|den|dnia|w\s+dniu|dne|dňa|dana|v|p[åa]|pe|στις|at|in|um|o|u|в|у|на|el\s+d[ií]a|"
    r"le\s+\w+|em\s+\w+|no\s+dia|la|în|vào|pada|في|ב-?|"
    r"wiadomo[śs][ćc]\s+napisana\s+przez"
)
ATTRIBUTION_OPENER = re.compile(rf"^\s*[-*_]*\s*(?:{_OPENERS})\s+\S", re.IGNORECASE)
_WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"понедельник|вторник|среда|четверг|пятница|суббота|воскресенье|"
    r"lunes|martes|miércoles|jueves|viernes|sábado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
)
_WEEKDAY_ABBREVIATIONS = (
    r"mon|tue|wed|thu|fri|sat|sun|lun|mar|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so|пн|вт|ср|чт|пт|сб|вс|"
    r"mié|mie|jue|vie|sáb|sab|dom|gio|joi|vin|sâm|seg|ter|qua|qui|sex|wo|vr|za|zo|pon|wt|śr|czw|pt|sob|niedz|"
    r"po|út|čt|pá|ne|ma|ti|on|to|fre|lø|sø|må|ons|tor|lör|sön"
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
DATE_OPENER = re.compile(
    rf"^\s*(?:\d|(?:{_WEEKDAYS})[.,]?\s|(?:{_WEEKDAY_ABBREVIATIONS})[.,]{{1,2}}\s|(?:{_MONTHS})[a-z]*\.?\s+\d)"
    r"|^\s*[在於于]\s*\d",
    re.IGNORECASE,
)
# "<Name> schrieb am <date> um <time>:", "<Name> kirjoitti 23.8.2019 kello 11.10:": the verb before the date.
VERB_THEN_DATE = re.compile(
    rf"^.{{0,120}}?(?:^|\s)(?:{_WROTE_VERBS})\s.*?(?:(?<!\d)(?:19|20)\d\d(?!\d)|(?<!\d)\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})"
    r".*?(?<![\d:.])\d{1,2}[:.]\d{2}(?![\d])\D{0,12}[:\uff1a]\s*$",
    re.IGNORECASE,
)
ENDS_LIKE_ATTRIBUTION = re.compile(r"(?:[:\uff1a]|wrote\s*-+|-{2,})\s*\**\s*$", re.IGNORECASE)
# "On <date>, <someone> wrote" with no colon: the verb ends the line (then a time or an address must be there).
ENDS_WITH_VERB = re.compile(rf"(?:{_WROTE_VERBS}|{_CJK_WROTE_VERBS})\s*\**\s*$", re.IGNORECASE)
HAS_DATE_OR_ADDRESS = re.compile(r"\d|@|&lt;|\byou\b", re.IGNORECASE)

# Gmail's older attribution: "2016-10-24 15:36 GMT+02:00 Name <addr>:" or "2013/7/20 Name <addr>".
GMAIL_DATE_ATTRIBUTION = re.compile(
    r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s+(?:\d{1,2}:\d{2}(?!:\d)\s*(?:GMT[+-]\d{1,2}:?\d{2})?\s*)?\S.{0,200}$"
)
GMAIL_DATE_EVIDENCE = re.compile(r"GMT[+-]\d|<[^<>@\s]+@[^<>\s]+>|:\s*$")
# Clients that write no verb (Yandex, Mail.ru): "26.06.2014, 14:41, "Name" <addr>:".
TIME_OF_DAY = re.compile(r"(?<![\d:])\d{1,2}:\d{2}(?![\d])")
# A whole numeric date ("30.09.2017", "2017-09-30", "09/30/17"): date-only attributions carry no time.
NUMERIC_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?!\d)")
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Separators that introduce a forwarded or quoted original.
_SEPARATOR_PHRASES = (
    r"original\s+message|forwarded\s+message|message\s+d'origine|"
    r"message\s+original|message\s+transf[ée]r[ée]|urspr[üu]ngliche\s+nachricht|weitergeleitete\s+nachricht|"
    r"mensaje\s+original|mensaje\s+reenviado|mensagem\s+original|mensagem\s+encaminhada|messaggio\s+originale|"
    r"messaggio\s+inoltrato|oorspronkelijk\s+bericht|doorgestuurd\s+bericht|ursprungligt\s+meddelande|"
    r"vidarebefordrat\s+meddelande|oprindelig\s+meddelelse|videresendt\s+meddelelse|opprinnelig\s+melding|"
    r"videresendt\s+melding|alkuper[äa]inen\s+viesti|v[äa]litetty\s+viesti|p[ůu]vodn[íi]\s+zpr[áa]va|"
    r"p[ôo]vodn[áa]\s+spr[áa]va|wiadomo[śs][ćc]\s+oryginalna|wiadomo[śs][ćc]\s+przekazana|"
    r"исходное\s+сообщение|пересылаемое\s+сообщение|переслано|оригинално\s+писмо|eredeti\s+[üu]zenet|"
    r"orijinal\s+mesaj|原始邮件|原始郵件|转发的邮件|轉寄的郵件|元のメッセージ|転送されたメッセージ|"
    r"oprindelig\s+besked|videresendt\s+besked|originalmeddelande|originalmeddelelse|opprinnelig\s+beskjed|"
    r"upprunaleg\s+skilabo[ðd]|framsend\s+skilabo[ðd]|upprunalegu\s+skilabo[ðd]in|oryginalna\s+wiadomo[śs][ćc]|"
    r"mesaj(?:ul)?\s+original|mesaj\s+redirec[țt]ionat|αρχικ[όο]\s+μ[ήη]νυμα|προωθημ[έε]νο\s+μ[ήη]νυμα|"
    r"tov[áa]bb[íi]tott\s+[üu]zenet|iletilen\s+ileti|orijinal\s+ileti|originaal\s+s[õo]num|"
    r"originali\s+žinutė|sākotnējā\s+ziņa|izvorna\s+poruka|prosle[đd]ena\s+poruka|оригинальное\s+сообщение|"
    r"begin\s+forwarded\s+message|d[ée]but\s+du\s+message\s+r[ée]exp[ée]di[ée]|anfang\s+der\s+weitergeleiteten|"
    r"original-nachricht|original-mitteilung|missatge\s+original|"
    r"missatge\s+reenviat|oorspronklike\s+boodskap|neges\s+wreiddiol|původní\s+e-mail|reply\s+message|"
    r"antwort\s+nachricht|orijinal\s+e-posta|originalna\s+poruka|izvirno\s+sporočilo|"
    r"оригинално\s+съобщение|вихідне\s+повідомлення|пересланное\s+сообщение|tin\s+nhắn\s+gốc|"
    r"pesan\s+asli|ข้อความต้นฉบับ|전달된\s+메시지|원본\s+메시지|ההודעה\s+המקורית|الرسالة\s+الأصلية"
)
ORIGINAL_MESSAGE = re.compile(
    rf"^\s*[>*_\s]*(?:-{{2,}}|_{{2,}}|={{2,}})?\s*(?:{_SEPARATOR_PHRASES})"
    r"\s*:?\s*(?:-{2,}|_{2,}|={2,})?\s*[*_]*\s*$",
    re.IGNORECASE,
)
# The same separator with the quoted headers glued on ("-- Ursprüngliche Nachricht --Von: ...").
GLUED_ORIGINAL_MESSAGE = re.compile(rf"^\s*[>\s]*-{{2,}}\s*(?:{_SEPARATOR_PHRASES})\s*-{{2,}}\s*\S", re.IGNORECASE)

# Header lines of a quoted message ("From: ...", "Von: ...", "*Sent:* ...").
_FROM_LABELS = (
    r"from|von|de|da|van|fr[åa]n|fra|od|от|від|発信者|差出人|发件人|寄件者|寄件人|l[äa]hett[äa]j[äa]|felad[óo]|"
    r"kimden|afzender|absender|exp[ée]diteur|remitente|mittente|nadawca|odes[íi]latel|apo|από|보낸\s*사람|frá"
)
_OTHER_LABELS = (
    r"sent|date|datum|gesendet|envoy[ée]|enviado|enviada|inviato|data|skickat|sendt|verzonden|verstuurd|"
    r"wys[łl]ano|wys[łl]ane|odesl[áa]no|отправлено|дата|fecha|lähetetty|l[äa]hetetty|g[öo]nderildi|tarih|"
    r"p[äa]iv[äa]ys|d[áa]tum|elk[üu]ldve|送信日時|发送时间|發送時間|日期|時間|"
    r"to|an|[àa]|para|till|til|aan|do|кому|komu|收件人|宛先|vastaanottaja|c[íi]mzett|kime|adres[áa]t|"
    r"empf[äa]nger|destinataire|destinatario|"
    r"cc|bcc|kopie|kopia|копия|抄送|副本|kopio|m[áa]solat|bilgi|"
    r"subject|betreff|objet|asunto|oggetto|[äa]mne|emne|onderwerp|temat|тема|p[řr]edm[ěe]t|主题|主旨|件名|aihe|"
    r"t[áa]rgy|konu|assunto|sujet|reply-to|antwort\s+an|risposta|r[ée]pondre\s+[àa]|responder\s+a|"
    r"importance|priority|wichtigkeit|priorit[ée]"
)
_LABEL_SHAPE = r"^\s*[>]*\s*[*_]{{0,2}}\s*(?:{labels})\s*[*_]{{0,2}}\s*[:\uff1a]\s*[*_]{{0,2}}(?:\s|$)"
FROM_HEADER = re.compile(_LABEL_SHAPE.format(labels=_FROM_LABELS), re.IGNORECASE)
OTHER_HEADER = re.compile(_LABEL_SHAPE.format(labels=_OTHER_LABELS), re.IGNORECASE)

QUOTE = re.compile(r"^\s*(?:>|[A-Za-z]{1,3}>(?!\S*>))")

# "-- ", "__", "~~~", a row of stars or equals: a signature or a separator before quoted history.
DELIMITER = re.compile(r"^\s*(?:-{2,}|_{2,}|={2,}|~{2,}|\*{2,}|\+{2,}|\u1427|[\u2015\u2014]{2,})\s*$")

# Sign-offs that mobile and web clients append ("Sent from my iPhone", "Von meinem iPad gesendet", ...).
MOBILE_SIGNATURE = re.compile(
    r"^\W*(?:"
    r"(?:sent|envoy[ée]|enviado|inviato|verzonden|verstuurd|sendt|skickat|gesendet|wys[łl]ane|odesl[áa]no|"
    r"отправлено|надіслано|enviada|l[äa]hetetty)\s+(?:from|via|with|using|by|on|depuis|avec|de|desde|con|da|"
    r"dal|dal\s+mio|met|vanaf|vanuit|via|fra|från|med|von|mit|z|ze|с|з|do|mijn|mon|ma|mi|meu|mio|min|mitt)\b"
    # the same sign-off in more languages (zapier/email-reply-parser's "Sent from" table and others, decision 022)
    r"|trimis\s+(?:de\s+pe|din|cu|de\s+la)\s|(?:az?\s+)?\S+(?:r[óo]l|r[őo]l)\s+k[üu]ldve$|k[üu]ldve\s+(?:az?\s+)?\S+"
    r"|l[äa]hetetty\s+\S+(?:sta|st[äa]|lla|ll[äa])\b|odoslan[ée]\s+z|poslano\s+(?:s|sa|iz|z)\s|"
    r"изпратено\s+от|надіслано\s+з|στάλθηκε\s+από|σταλθηκε\s+απο|(?:\S+\s+)?\S*(?:cihazımdan|['’]\S*d[ae]n)\s+g[öo]nderildi"
    r"|dikirim\s+dari|được\s+gửi\s+từ|ส่งจาก|נשלח\s+מ|أُ?رسلت\s+من|ارسلت\s+من|\S+에서\s+보냄|내\s+\S+에서\s+보냄"
    r"|von\s+meine[mnr]?\s.+gesendet|diese\s+nachricht\s+wurde\s+von\s+meinem\s"
    r"|from\s+my\s+(?:i\w+|android|mobile|phone|smartphone|samsung|galaxy|blackberry|tablet)"
    r"|\S+(?:\s+\S+)?\s+from\s+(?:my\s+)?mobile$"
    r"|(?:get|hol\s+dir|obtenir|t[ée]l[ée]charger|descargar|descarga|scarica|baixe|baixar|download|pobierz|"
    r"h[äa]mta|hent|hanki|st[áa]hnout|загрузите|скачайте)\s+outlook\s+(?:for|f[üu]r|pour|para|per|voor|dla|"
    r"til|f[öo]r|pro|для)\s"
    r"|get\s+outlook\s+for\s|sent\s+from\s|sent\s+via\s|sent\s+with\s|<<\s*sent\s+by|\(\s*sent\s+from"
    r"|[從从]我的\s*\S+\s*傳送|发自我的|來自我的|iPhoneから送信|envoy[ée]\s+de\s+mon"
    r"|verzonden\s+met\s|verzonden\s+vanaf\s|enviado\s+desde\s|enviado\s+do\s|inviato\s+da\s"
    r")",
    re.IGNORECASE,
)
MOBILE_SIGNATURE_MAX_LEN = 80
# What makes a sign-off name a device or an app ("my", "mon", "meinem", ... or the device itself).
DEVICE_WORDS = re.compile(
    r"\b(?:my|mon|ma|meine[mnr]?|mijn|mi|meu|mio|min|mitt|moim|mého|iphone|ipad|android|blackberry|samsung|"
    r"galaxy|pixel|huawei|xiaomi|nokia|outlook|mail|mobile|phone|windows|yahoo|gmail|airmail|spark|proton\w*)\b",
    re.IGNORECASE,
)
URL = re.compile(r"<?\(?(?:https?://|mailto:)\S+|\[[^\]]*\]\([^)]*\)")

# A closing line ("Regards, Roman", "Thanks!", "Mit freundlichen Grüßen"): written under a quote, it closes the
# reply rather than answering the quote.
SIGN_OFF = re.compile(
    r"^\W*(?:(?:best|kind|warm|many)\s+(?:regards|wishes|thanks)|regards|thanks|thank\s+you|cheers|sincerely|"
    r"yours|br|mfg|(?:mit\s+)?(?:freundlichen|besten|viele)\s+gr[üu](?:ß|ss)en|gr[üu](?:ß|ss)e|lg|cordialement|"
    r"bien\s+[àa]\s+vous|saludos|un\s+saludo|cordiali\s+saluti|saluti|met\s+vriendelijke\s+groet(?:en)?|groeten|"
    r"mvh|med\s+vänlig\s+hälsning|hälsningar|pozdrawiam|с\s+уважением|спасибо)\b",
    re.IGNORECASE,
)
