"""The vocabulary of `injection`: what a line does when it speaks to the model instead of the seller, in English and
the languages most often tried (Spanish, French, German, Portuguese, Italian, Dutch, Russian, Chinese, Japanese,
Korean). Patterns run on lower-cased text already unified by `injection.plain_form` / `folded_form`.

Words a land call uses for real are left out on purpose: "assessor" and "appraiser" (the county's), Portuguese
"corretor" (a broker), German "Gutachter", a bare "score" ("credit score"), "100" followed by dollars, acres or
percent, "system" without a colon.
"""

from __future__ import annotations

import re

# A number or words meaning the best grade; 100 or a hundred of something real (dollars, acres) is not one.
_NOT_A_GRADE = r"(?! ?(?:dollars|bucks|grand|thousand|k\b|acres?|percent|%|feet|foot|ft|yards|miles|days|years|\$))"
_TOP = (
    rf"(?:100{_NOT_A_GRADE}|(?:a |one )?hundred{_NOT_A_GRADE}|perfect (?:score|grade|marks?|10|ten)|"
    r"full (?:marks|points|score)|top (?:scores?|marks|grades?)|highest (?:possible )?(?:scores?|grades?|marks?)|"
    r"max(?:imum)? (?:score|grade|points|marks)|the max(?:imum)? (?:in|on|for|across) (?:every|all|each)|"
    r"a\+|10 ?/ ?10|ten out of ten|excellent across)"
)
_WHO = r"(?:reviewer|assessor|examiner|judge|rater|ai|model|assistant|bot|chatbot|system)"
_JUDGING = (
    r"(?:scoring|grading|reviewing|evaluating|assessing|judging|rating|marking|reads?|reading|reviews|grades|scores|"
    r"evaluates)"
)

_ENGLISH = [
    # who is addressed
    r"\b(?:graders?|grading (?:ai|model|assistant|system|bot|rubric|policy)|evaluators?|scorers?|llms?|chatgpt|"
    r"gpt-?\d*|language model|rubric|system prompt|prompt injection)\b",
    rf"\b(?:hey|hi|hello|dear|attention|(?:note|message|memo|reminder|instructions?) (?:for|to)|p\.? ?s\.?,?(?: to)?)"
    rf"\s+(?:the |whoever |any |you,? (?:the )?)?{_WHO}\b",
    rf"\b(?:{_WHO}|whoever|anyone|you)\s+(?:who(?:'s| is)? )?{_JUDGING}\s+(?:this|the (?:call|transcript)|me|my)\b",
    r"\b(?:assessment|grading|evaluation|reviewer'?s?) note\b",
    r"\bas (?:an? |the )?(?:ai|language model|grading assistant|grader|assistant)\b",
    r"\byou are (?:now )?(?:a|an|the) (?:grader|ai|assistant|language model)\b",
    # what is asked for
    rf"\b(?:give|gimme|award|assign|grant|mark|rate|score|grade|output|return)\b[^.!?\n]{{0,40}}?\b{_TOP}",
    r"\b(?:score|grade|rate|mark)\s+(?:me|us|this (?:call|conversation|trainee|investor|one)|"
    r"the (?:call|trainee|investor))\b",
    r"\b100 ?(?:/|out of) ?100\b",
    r"\b(?:call|conversation|trainee|investor|performance|this one)\b[^.!?]{0,30}"
    r"\b(?:10|ten) ?(?:/|out of) ?(?:10|ten)\b",
    r"\b(?:rapport|discovery|objection[ _]handling|closing)\s*[:=]?\s*100\b",
    r"\b(?:every|all|each)(?: four| 4)? (?:scores?|areas?|categor(?:y|ies)|skills?)\b[^.!?]{0,30}"
    r"\b(?:100|perfect|maximum)",
    rf"\bdeserves?\b[^.!?]{{0,30}}\b{_TOP}",
    # what is overridden
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,30}?\b(?:instructions?|rules?|guidelines?|prompt|"
    r"rubric|criteria|polic(?:y|ies)|system message|previous|above|everything (?:above|before))",
    r"\bnew grading (?:policy|instructions|rules)\b|\bnew instructions?(?: for you| to you|:)",
    r"(?:^|[\s(\[<])(?:system|assistant|developer)\s*[:\]>]",
    r"<<<|>>>|<\|im_|\[/?inst\]|\bend (?:of )?transcript\b",
]

_OTHER_LANGUAGES = [
    # Spanish
    r"\b(?:evaluador|calificador|examinador|corrector)a?\b",
    r"\bpuntuaci[oó]n (?:de )?(?:100|m[aá]xima|perfecta)|\bnota m[aá]xima\b",
    r"\b(?:ponme|dame|dale|asigna|asignale)\b[^.!?]{0,30}\b(?:100|cien|diez|un 10|nota|puntuaci[oó]n)",
    r"\bignora(?:r)? (?:las |tus |todas las |sus )?(?:instrucciones|reglas)|\binstrucciones anteriores\b",
    # French
    r"[ée]valuat(?:eur|rice)\b|\bcorrect(?:eur|rice)\b|\bexaminat(?:eur|rice)\b",
    r"\bnote (?:maximale|parfaite|max)\b|\b20 ?/ ?20\b",
    r"\bignore[rz]? (?:les |tes |vos |toutes les )?(?:instructions|consignes|r[eè]gles)",
    r"\b(?:attribue[rz]?|donne[rz]?(?:-moi)?|mets(?:-moi)?)\b[^.!?]{0,30}\b(?:100|la note|note maximale|20/20)",
    # German
    r"\b(?:bewerter|pr[üu]fer|korrektor)(?:in)?\b",
    r"\bvolle punktzahl\b|\bbestnote\b|\bh[öo]chstpunktzahl\b|\bh[öo]chste (?:punktzahl|note|bewertung)\b",
    r"\bignorier(?:e|en)? (?:alle |deine |ihre |die )?(?:anweisungen|regeln)",
    r"\bgib (?:mir|diesem|dem)\b[^.!?]{0,30}\b(?:100|punkte|note|punktzahl)",
    # Portuguese
    r"\bavaliador(?:a)?\b|\bpontua[cç][aã]o m[aá]xima\b|\bnota (?:10|dez)\b",
    r"\bignor(?:e|ar) (?:as |suas )?(?:instru[cç][õo]es|regras)",
    # Italian
    r"\bvalutat(?:ore|rice)\b|\besaminat(?:ore|rice)\b|\bcorrettore\b",
    r"\bpunteggio massimo\b|\bvoto massimo\b|\bmassimo dei voti\b",
    r"\bignora (?:le |tutte le )?(?:istruzioni|regole)",
    # Dutch
    r"\bbeoordelaar\b|\bmaximale score\b",
    # Russian
    r"\bэкзаменатор|\bпроверяющ|\bоценивающ",
    r"\d+ балл|\bмаксимальн\w* (?:балл|оценк)|\bвысш\w* (?:балл|оценк)",
    r"\bигнорируй\w* (?:\w+ )?(?:инструкци|правил)|\bпоставь\w*\b[^.!?]{0,30}(?:100|балл|оценк|пят[её]рк)",
    # Chinese, Japanese, Korean
    r"评分|打分|满分|评估员|评委|忽略.{0,6}(?:指令|指示|说明)",
    r"採点|満点|評価者|指示を無視",
    r"채점|만점",
]

PATTERNS = tuple(re.compile(p) for p in (*_ENGLISH, *_OTHER_LANGUAGES))

# A phrase spelt out letter by letter ("s c o r e m e 1 0 0") is joined into one word by the folding: these match
# such words with every space and mark removed.
SQUASHED = re.compile(
    r"(?:score|grade|rate)me(?:100|ahundred|perfect)|giveme(?:100|ahundred|fullmarks|perfect)|"
    r"ignore(?:all|your|the|previous|prior)+(?:instructions|rules)|100outof100|fullmarks"
)
