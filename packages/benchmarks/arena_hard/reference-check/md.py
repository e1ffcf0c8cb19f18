# Markdown counts of add_markdown_info.py (lmarena/arena-hard-auto@3071ef9) on the texts of md-cases.json.
import sys, types, json, re
sys.modules["tiktoken"] = types.ModuleType("tiktoken")
import add_markdown_info as m
pattern = re.compile("```([^`]*)```")
cases = json.load(open(sys.argv[1]))
out = []
for text in cases:
    c = m.count_markdown_elements(m.remove_pattern(text, pattern), suffix="")
    out.append([sum(c["header_count"].values()), sum(c["list_count"].values()), sum(c["bold_count"].values())])
print(json.dumps(out))
