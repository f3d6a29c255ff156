// sprig v3.2.3 function groups. Every expected string below was printed by Go 1.19 text/template
// with Masterminds sprig v3.2.3 for the same template and values.

import { describe, expect, it } from 'vitest';
import { render, renderError } from './helpers.js';

const VALUES = "s: \"Hello World\"\nl: [3, 1, 2]\nstrs: [b, a, c]\nm: {b: 2, a: 1, c: {d: [1, 2]}}\nnul: ~\ni: 42\nf: 1.5\n";

describe("strings", () => {
  it("{{ upper .s }}|{{ lower .s }}|{{ title \"hello wORLD foo_bar x-y\" }}|{{ untitle \"Hello World\" }}", () => {
    expect(render("{{ upper .s }}|{{ lower .s }}|{{ title \"hello wORLD foo_bar x-y\" }}|{{ untitle \"Hello World\" }}", VALUES)).toBe("HELLO WORLD|hello world|Hello WORLD Foo_bar X-Y|hello world");
  });
  it("{{ trim \"  a b  \" }}|{{ trimAll \"$\" \"$$a$b$\" }}|{{ trimPrefix \"he\" \"hello\" }}|{{ trimSuffix \"lo\" \"hello\" }}", () => {
    expect(render("{{ trim \"  a b  \" }}|{{ trimAll \"$\" \"$$a$b$\" }}|{{ trimPrefix \"he\" \"hello\" }}|{{ trimSuffix \"lo\" \"hello\" }}", VALUES)).toBe("a b|a$b|llo|hel");
  });
  it("{{ replace \"l\" \"L\" \"hello\" }}|{{ contains \"ell\" \"hello\" }}|{{ hasPrefix \"he\" \"hello\" }}|{{ hasSuffix \"x\" \"hello\" }}", () => {
    expect(render("{{ replace \"l\" \"L\" \"hello\" }}|{{ contains \"ell\" \"hello\" }}|{{ hasPrefix \"he\" \"hello\" }}|{{ hasSuffix \"x\" \"hello\" }}", VALUES)).toBe("heLLo|true|true|false");
  });
  it("{{ split \",\" \"a,b,c\" }}|{{ splitList \",\" \"a,b,c\" }}|{{ (split \",\" \"a,b\")._1 }}|{{ splitn \",\" 2 \"a,b,c\" }}", () => {
    expect(render("{{ split \",\" \"a,b,c\" }}|{{ splitList \",\" \"a,b,c\" }}|{{ (split \",\" \"a,b\")._1 }}|{{ splitn \",\" 2 \"a,b,c\" }}", VALUES)).toBe("map[_0:a _1:b _2:c]|[a b c]|b|map[_0:a _1:b,c]");
  });
  it("{{ join \"-\" .strs }}|{{ join \",\" .l }}|{{ join \",\" (list 1 nil \"x\") }}", () => {
    expect(render("{{ join \"-\" .strs }}|{{ join \",\" .l }}|{{ join \",\" (list 1 nil \"x\") }}", VALUES)).toBe("b-a-c|3,1,2|1,x");
  });
  it("{{ repeat 3 \"ab\" }}|{{ substr 1 3 \"hello\" }}|{{ substr -1 3 \"hello\" }}|{{ substr 2 -1 \"hello\" }}|{{ trunc 3 \"hello\" }}|{{ trunc -3 \"hello\" }}", () => {
    expect(render("{{ repeat 3 \"ab\" }}|{{ substr 1 3 \"hello\" }}|{{ substr -1 3 \"hello\" }}|{{ substr 2 -1 \"hello\" }}|{{ trunc 3 \"hello\" }}|{{ trunc -3 \"hello\" }}", VALUES)).toBe("ababab|el|hel|llo|hel|llo");
  });
  it("{{ indent 2 \"a\\nb\" }}|{{ nindent 4 \"x\\ny\" }}", () => {
    expect(render("{{ indent 2 \"a\\nb\" }}|{{ nindent 4 \"x\\ny\" }}", VALUES)).toBe("  a\n  b|\n    x\n    y");
  });
  it("{{ quote \"a\\\"b\" 1 nil .l }}|{{ squote \"a\" 1 nil }}|{{ cat \"a\" 1 nil \"b\" .l }}", () => {
    expect(render("{{ quote \"a\\\"b\" 1 nil .l }}|{{ squote \"a\" 1 nil }}|{{ cat \"a\" 1 nil \"b\" .l }}", VALUES)).toBe("\"a\\\"b\" \"1\" \"[3 1 2]\"|'a' '1'|a 1 b [3 1 2]");
  });
  it("{{ toString 1 }}|{{ toString 1.5 }}|{{ toString nil }}|{{ toStrings .l }}|{{ typeOf (toStrings .l) }}", () => {
    expect(render("{{ toString 1 }}|{{ toString 1.5 }}|{{ toString nil }}|{{ toStrings .l }}|{{ typeOf (toStrings .l) }}", VALUES)).toBe("1|1.5|<nil>|[3 1 2]|[]string");
  });
  it("{{ nospace \" a b\\tc \" }}|{{ initials \"hello big world\" }}|{{ abbrev 5 \"hello world\" }}|{{ abbrevboth 5 10 \"1234 5678 9123 4567\" }}", () => {
    expect(render("{{ nospace \" a b\\tc \" }}|{{ initials \"hello big world\" }}|{{ abbrev 5 \"hello world\" }}|{{ abbrevboth 5 10 \"1234 5678 9123 4567\" }}", VALUES)).toBe("abc|hbw|he...|...5678...");
  });
  it("{{ snakecase \"HelloWorldHTTPServer2Go\" }}|{{ camelcase \"hello_world-foo bar\" }}|{{ kebabcase \"MyFooBar123abc\" }}|{{ swapcase \"Hello World\" }}", () => {
    expect(render("{{ snakecase \"HelloWorldHTTPServer2Go\" }}|{{ camelcase \"hello_world-foo bar\" }}|{{ kebabcase \"MyFooBar123abc\" }}|{{ swapcase \"Hello World\" }}", VALUES)).toBe("hello_world_http_server2_go|HelloWorldFooBar|my-foo-bar-123abc|hELLO wORLD");
  });
  it("{{ wrap 5 \"hello world foo bar\" }}|{{ wrapWith 5 \"\\t\" \"hello world\" }}", () => {
    expect(render("{{ wrap 5 \"hello world foo bar\" }}|{{ wrapWith 5 \"\\t\" \"hello world\" }}", VALUES)).toBe("hello\nworld\nfoo\nbar|hello\tworld");
  });
  it("{{ plural \"one\" \"many\" 1 }}|{{ plural \"one\" \"many\" 2 }}|{{ atoi \"42\" }}|{{ atoi \"x\" }}", () => {
    expect(render("{{ plural \"one\" \"many\" 1 }}|{{ plural \"one\" \"many\" 2 }}|{{ atoi \"42\" }}|{{ atoi \"x\" }}", VALUES)).toBe("one|many|42|0");
  });
  it("{{ b64enc \"hello\" }}|{{ b64dec \"aGVsbG8=\" }}|{{ b64dec \"aGVsbG8\" }}|{{ b32enc \"hello\" }}|{{ b32dec \"NBSWY3DP\" }}", () => {
    expect(render("{{ b64enc \"hello\" }}|{{ b64dec \"aGVsbG8=\" }}|{{ b64dec \"aGVsbG8\" }}|{{ b32enc \"hello\" }}|{{ b32dec \"NBSWY3DP\" }}", VALUES)).toBe("aGVsbG8=|hello|illegal base64 data at input byte 4|NBSWY3DP|hello");
  });
  it("{{ sha256sum \"abc\" }}|{{ sha1sum \"abc\" }}|{{ adler32sum \"abc\" }}", () => {
    expect(render("{{ sha256sum \"abc\" }}|{{ sha1sum \"abc\" }}|{{ adler32sum \"abc\" }}", VALUES)).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad|a9993e364706816aba3e25717850c26c9cd0d89d|38600999");
  });
});

describe("math", () => {
  it("{{ add 1 2 3 }}|{{ add1 5 }}|{{ sub 5 7 }}|{{ div 7 2 }}|{{ div -7 2 }}|{{ mod 7 3 }}|{{ mod -7 3 }}|{{ mul 2 3 4 }}", () => {
    expect(render("{{ add 1 2 3 }}|{{ add1 5 }}|{{ sub 5 7 }}|{{ div 7 2 }}|{{ div -7 2 }}|{{ mod 7 3 }}|{{ mod -7 3 }}|{{ mul 2 3 4 }}", VALUES)).toBe("6|6|-2|3|-3|1|-1|24");
  });
  it("{{ add 1 1.9 }}|{{ add \"3\" 4 }}|{{ add true 1 }}|{{ add nil 1 }}|{{ add \"1.0\" 1 }}|{{ add \"0x10\" 1 }}", () => {
    expect(render("{{ add 1 1.9 }}|{{ add \"3\" 4 }}|{{ add true 1 }}|{{ add nil 1 }}|{{ add \"1.0\" 1 }}|{{ add \"0x10\" 1 }}", VALUES)).toBe("2|7|2|1|2|17");
  });
  it("{{ max 1 5 3 }}|{{ min 4 2 8 }}|{{ biggest 1 2 }}|{{ maxf 1 2.5 }}|{{ minf 1.5 -2 }}", () => {
    expect(render("{{ max 1 5 3 }}|{{ min 4 2 8 }}|{{ biggest 1 2 }}|{{ maxf 1 2.5 }}|{{ minf 1.5 -2 }}", VALUES)).toBe("5|2|2|2.5|-2");
  });
  it("{{ addf 0.1 0.2 }}|{{ subf 1 0.9 }}|{{ mulf 1.1 3 }}|{{ divf 10 3 }}|{{ add1f 1.5 }}", () => {
    expect(render("{{ addf 0.1 0.2 }}|{{ subf 1 0.9 }}|{{ mulf 1.1 3 }}|{{ divf 10 3 }}|{{ add1f 1.5 }}", VALUES)).toBe("0.3|0.1|3.3|3.3333333333333335|2.5");
  });
  it("{{ ceil 1.2 }}|{{ floor 1.8 }}|{{ round 1.2345 2 }}|{{ round 2.5 0 }}", () => {
    expect(render("{{ ceil 1.2 }}|{{ floor 1.8 }}|{{ round 1.2345 2 }}|{{ round 2.5 0 }}", VALUES)).toBe("2|1|1.23|3");
  });
  it("{{ int 1.9 }}|{{ int \"12\" }}|{{ int64 3 }}|{{ float64 3 }}|{{ float64 \"1.5\" }}|{{ toDecimal \"0777\" }}", () => {
    expect(render("{{ int 1.9 }}|{{ int \"12\" }}|{{ int64 3 }}|{{ float64 3 }}|{{ float64 \"1.5\" }}|{{ toDecimal \"0777\" }}", VALUES)).toBe("1|12|3|3|1.5|511");
  });
  it("{{ typeOf (int 1) }} {{ typeOf (int64 1) }} {{ typeOf (float64 1) }} {{ typeOf (add 1 1) }} {{ typeOf (addf 1 1) }} {{ typeOf (atoi \"1\") }}", () => {
    expect(render("{{ typeOf (int 1) }} {{ typeOf (int64 1) }} {{ typeOf (float64 1) }} {{ typeOf (add 1 1) }} {{ typeOf (addf 1 1) }} {{ typeOf (atoi \"1\") }}", VALUES)).toBe("int int64 float64 int64 float64 int");
  });
  it("{{ until 5 }}|{{ until -3 }}|{{ untilStep 0 10 3 }}|{{ untilStep 10 0 -3 }}|{{ seq 5 }}|{{ seq 2 5 }}|{{ seq 0 2 10 }}", () => {
    expect(render("{{ until 5 }}|{{ until -3 }}|{{ untilStep 0 10 3 }}|{{ untilStep 10 0 -3 }}|{{ seq 5 }}|{{ seq 2 5 }}|{{ seq 0 2 10 }}", VALUES)).toBe("[0 1 2 3 4]|[0 -1 -2]|[0 3 6 9]|[10 7 4 1]|1 2 3 4 5|2 3 4 5|0 2 4 6 8 10");
  });
});

describe("lists", () => {
  it("{{ append (list 1 2) 3 }}|{{ prepend (list 1) 0 }}|{{ first .l }}|{{ last .l }}|{{ rest .l }}|{{ initial .l }}", () => {
    expect(render("{{ append (list 1 2) 3 }}|{{ prepend (list 1) 0 }}|{{ first .l }}|{{ last .l }}|{{ rest .l }}|{{ initial .l }}", VALUES)).toBe("[1 2 3]|[0 1]|3|2|[1 2]|[3 1]");
  });
  it("{{ first (list) }}|{{ rest (list) }}|{{ reverse .l }}", () => {
    expect(render("{{ first (list) }}|{{ rest (list) }}|{{ reverse .l }}", VALUES)).toBe("<no value>|[]|[2 1 3]");
  });
  it("{{ uniq (list 1 2 1 \"a\" \"a\" nil nil) }}|{{ without (list 1 2 3 2) 2 }}|{{ has 2 .l }}|{{ has 9 .l }}|{{ compact (list 0 1 \"\" \"a\" nil false true) }}", () => {
    expect(render("{{ uniq (list 1 2 1 \"a\" \"a\" nil nil) }}|{{ without (list 1 2 3 2) 2 }}|{{ has 2 .l }}|{{ has 9 .l }}|{{ compact (list 0 1 \"\" \"a\" nil false true) }}", VALUES)).toBe("[1 2 a <nil>]|[1 3]|true|false|[1 a true]");
  });
  it("{{ slice .l 1 }}|{{ slice .l 1 2 }}|{{ typeOf (slice (until 5) 1 3) }}|{{ concat .l (list 4) (until 2) }}", () => {
    expect(render("{{ slice .l 1 }}|{{ slice .l 1 2 }}|{{ typeOf (slice (until 5) 1 3) }}|{{ concat .l (list 4) (until 2) }}", VALUES)).toBe("[1 2]|[1]|[]int|[3 1 2 4 0 1]");
  });
  it("{{ sortAlpha .strs }}|{{ sortAlpha .l }}|{{ chunk 2 (list 1 2 3 4 5) }}", () => {
    expect(render("{{ sortAlpha .strs }}|{{ sortAlpha .l }}|{{ chunk 2 (list 1 2 3 4 5) }}", VALUES)).toBe("[a b c]|[1 2 3]|[[1 2] [3 4] [5]]");
  });
  it("{{ dig \"c\" \"d\" \"def\" .m }}|{{ dig \"c\" \"x\" \"def\" .m }}", () => {
    expect(render("{{ dig \"c\" \"d\" \"def\" .m }}|{{ dig \"c\" \"x\" \"def\" .m }}", VALUES)).toBe("[1 2]|def");
  });
  it("{{ mustFirst (list 1) }}|{{ mustLast (list 1 2) }}|{{ mustUniq (list 1 1) }}", () => {
    expect(render("{{ mustFirst (list 1) }}|{{ mustLast (list 1 2) }}|{{ mustUniq (list 1 1) }}", VALUES)).toBe("1|2|[1]");
  });
});

describe("dicts", () => {
  it("{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $d }}|{{ get $d \"a\" }}|{{ get $d \"z\" }}|{{ hasKey $d \"a\" }}|{{ hasKey $d \"z\" }}|{{ keys $d | sortAlpha }}|{{ values $d }}", () => {
    expect(render("{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $d }}|{{ get $d \"a\" }}|{{ get $d \"z\" }}|{{ hasKey $d \"a\" }}|{{ hasKey $d \"z\" }}|{{ keys $d | sortAlpha }}|{{ values $d }}", VALUES)).toBe("map[a:1 b:2]|1||true|false|[a b]|[1 2]");
  });
  it("{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}|{{ unset $d \"a\" }}|{{ dict \"x\" }}|{{ dict 1 2 }}", () => {
    expect(render("{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}|{{ unset $d \"a\" }}|{{ dict \"x\" }}|{{ dict 1 2 }}", VALUES)).toBe("map[a:1 b:2]|map[b:2]|map[x:]|map[1:2]");
  });
  it("{{ pick .m \"a\" \"z\" }}|{{ omit .m \"a\" }}|{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}", () => {
    expect(render("{{ pick .m \"a\" \"z\" }}|{{ omit .m \"a\" }}|{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}", VALUES)).toBe("map[a:1]|map[b:2 c:map[d:[1 2]]]|[1 3]");
  });
  it("{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) \"e\" \"\" \"l\" (list 1) }}{{ $b := dict \"x\" 2 \"y\" 3 \"n\" (dict \"p\" 2 \"q\" 3) \"e\" \"full\" \"l\" (list 2) }}{{ merge $a $b }}", () => {
    expect(render("{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) \"e\" \"\" \"l\" (list 1) }}{{ $b := dict \"x\" 2 \"y\" 3 \"n\" (dict \"p\" 2 \"q\" 3) \"e\" \"full\" \"l\" (list 2) }}{{ merge $a $b }}", VALUES)).toBe("map[e:full l:[1] n:map[p:1 q:3] x:1 y:3]");
  });
  it("{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) \"l\" (list 1) }}{{ $b := dict \"x\" 2 \"n\" (dict \"q\" 3) \"l\" (list 2) }}{{ mergeOverwrite $a $b }}", () => {
    expect(render("{{ $a := dict \"x\" 1 \"n\" (dict \"p\" 1) \"l\" (list 1) }}{{ $b := dict \"x\" 2 \"n\" (dict \"q\" 3) \"l\" (list 2) }}{{ mergeOverwrite $a $b }}", VALUES)).toBe("map[l:[2] n:map[p:1 q:3] x:2]");
  });
  it("{{ deepCopy .m }}", () => {
    expect(render("{{ deepCopy .m }}", VALUES)).toBe("map[a:1 b:2 c:map[d:[1 2]]]");
  });
});

describe("defaults and reflection", () => {
  it("{{ default \"d\" .missing }}|{{ default \"d\" \"\" }}|{{ default \"d\" 0 }}|{{ default \"d\" \"x\" }}|{{ default \"d\" (list) }}|{{ \"v\" | default \"d\" }}", () => {
    expect(render("{{ default \"d\" .missing }}|{{ default \"d\" \"\" }}|{{ default \"d\" 0 }}|{{ default \"d\" \"x\" }}|{{ default \"d\" (list) }}|{{ \"v\" | default \"d\" }}", VALUES)).toBe("d|d|d|x|d|v");
  });
  it("{{ empty \"\" }}|{{ empty 0 }}|{{ empty 1 }}|{{ empty (list) }}|{{ empty (dict) }}|{{ empty .missing }}|{{ empty .nul }}", () => {
    expect(render("{{ empty \"\" }}|{{ empty 0 }}|{{ empty 1 }}|{{ empty (list) }}|{{ empty (dict) }}|{{ empty .missing }}|{{ empty .nul }}", VALUES)).toBe("true|true|false|true|true|true|true");
  });
  it("{{ coalesce 0 \"\" \"x\" }}|{{ all 1 \"a\" }}|{{ all 1 \"\" }}|{{ any 0 \"\" }}|{{ any 0 1 }}", () => {
    expect(render("{{ coalesce 0 \"\" \"x\" }}|{{ all 1 \"a\" }}|{{ all 1 \"\" }}|{{ any 0 \"\" }}|{{ any 0 1 }}", VALUES)).toBe("x|true|false|false|true");
  });
  it("{{ ternary \"a\" \"b\" true }}|{{ ternary \"a\" \"b\" false }}|{{ true | ternary \"y\" \"n\" }}", () => {
    expect(render("{{ ternary \"a\" \"b\" true }}|{{ ternary \"a\" \"b\" false }}|{{ true | ternary \"y\" \"n\" }}", VALUES)).toBe("a|b|y");
  });
  it("{{ kindOf 1 }} {{ kindOf 1.5 }} {{ kindOf \"s\" }} {{ kindOf nil }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ kindIs \"int\" 1 }} {{ kindIs \"slice\" .l }} {{ kindIs \"map\" .m }}", () => {
    expect(render("{{ kindOf 1 }} {{ kindOf 1.5 }} {{ kindOf \"s\" }} {{ kindOf nil }} {{ kindOf (list) }} {{ kindOf (dict) }} {{ kindIs \"int\" 1 }} {{ kindIs \"slice\" .l }} {{ kindIs \"map\" .m }}", VALUES)).toBe("int float64 string invalid slice map true true true");
  });
  it("{{ typeOf 1 }} {{ typeOf nil }} {{ typeOf .m.c }} {{ typeIs \"string\" \"x\" }} {{ typeOf (semver \"1.0.0\") }}", () => {
    expect(render("{{ typeOf 1 }} {{ typeOf nil }} {{ typeOf .m.c }} {{ typeIs \"string\" \"x\" }} {{ typeOf (semver \"1.0.0\") }}", VALUES)).toBe("int <nil> map[string]interface {} true *semver.Version");
  });
  it("{{ deepEqual (list 1 2) (list 1 2) }}|{{ deepEqual (list 1) (list \"1\") }}", () => {
    expect(render("{{ deepEqual (list 1 2) (list 1 2) }}|{{ deepEqual (list 1) (list \"1\") }}", VALUES)).toBe("true|false");
  });
});

describe("json", () => {
  it("{{ toJson .m }}|{{ toJson .l }}|{{ toJson \"<a&b>\" }}|{{ toJson nil }}|{{ toJson 1.5 }}|{{ toJson 1e21 }}|{{ toJson 0.0000001 }}", () => {
    expect(render("{{ toJson .m }}|{{ toJson .l }}|{{ toJson \"<a&b>\" }}|{{ toJson nil }}|{{ toJson 1.5 }}|{{ toJson 1e21 }}|{{ toJson 0.0000001 }}", VALUES)).toBe("{\"a\":1,\"b\":2,\"c\":{\"d\":[1,2]}}|[3,1,2]|\"\\u003ca\\u0026b\\u003e\"|null|1.5|1e+21|1e-7");
  });
  it("{{ toPrettyJson .m }}|{{ toRawJson \"<a&b>\" }}", () => {
    expect(render("{{ toPrettyJson .m }}|{{ toRawJson \"<a&b>\" }}", VALUES)).toBe("{\n  \"a\": 1,\n  \"b\": 2,\n  \"c\": {\n    \"d\": [\n      1,\n      2\n    ]\n  }\n}|\"<a&b>\"");
  });
  it("{{ fromJson \"{\\\"a\\\":1,\\\"b\\\":[1,2.5,\\\"x\\\",null,true]}\" }}|{{ (fromJson \"{\\\"a\\\":1}\").a | typeOf }}|{{ fromJson \"bad\" }}", () => {
    expect(render("{{ fromJson \"{\\\"a\\\":1,\\\"b\\\":[1,2.5,\\\"x\\\",null,true]}\" }}|{{ (fromJson \"{\\\"a\\\":1}\").a | typeOf }}|{{ fromJson \"bad\" }}", VALUES)).toBe("map[a:1 b:[1 2.5 x <nil> true]]|float64|<no value>");
  });
});

describe("regex", () => {
  it("{{ regexMatch \"^[a-z]+$\" \"abc\" }}|{{ regexMatch \"^[a-z]+$\" \"ab1\" }}|{{ regexFind \"[0-9]+\" \"ab12cd34\" }}|{{ regexFindAll \"[0-9]\" \"a1b2c3\" -1 }}|{{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }}", () => {
    expect(render("{{ regexMatch \"^[a-z]+$\" \"abc\" }}|{{ regexMatch \"^[a-z]+$\" \"ab1\" }}|{{ regexFind \"[0-9]+\" \"ab12cd34\" }}|{{ regexFindAll \"[0-9]\" \"a1b2c3\" -1 }}|{{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }}", VALUES)).toBe("true|false|12|[1 2 3]|[1 2]");
  });
  it("{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}|{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1W\" }}|{{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-axxb-\" \"$1\" }}|{{ regexReplaceAll \"a*\" \"baaac\" \"-\" }}", () => {
    expect(render("{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}|{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1W\" }}|{{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-axxb-\" \"$1\" }}|{{ regexReplaceAll \"a*\" \"baaac\" \"-\" }}", VALUES)).toBe("-W-xxW-|---|-$1-$1-|-b-c-");
  });
  it("{{ regexReplaceAll \"(?P<first>\\\\w+) (?P<last>\\\\w+)\" \"John Smith\" \"${last}, ${first}\" }}|{{ regexMatch \"(?i)^HELLO$\" \"hello\" }}|{{ regexMatch \"[[:digit:]]+\" \"x1\" }}", () => {
    expect(render("{{ regexReplaceAll \"(?P<first>\\\\w+) (?P<last>\\\\w+)\" \"John Smith\" \"${last}, ${first}\" }}|{{ regexMatch \"(?i)^HELLO$\" \"hello\" }}|{{ regexMatch \"[[:digit:]]+\" \"x1\" }}", VALUES)).toBe("Smith, John|true|true");
  });
  it("{{ regexSplit \"z+\" \"pizza\" -1 }}|{{ regexSplit \"z+\" \"pizza\" 1 }}|{{ regexSplit \"a*\" \"baaac\" -1 }}|{{ regexQuoteMeta \"1.5+x\" }}", () => {
    expect(render("{{ regexSplit \"z+\" \"pizza\" -1 }}|{{ regexSplit \"z+\" \"pizza\" 1 }}|{{ regexSplit \"a*\" \"baaac\" -1 }}|{{ regexQuoteMeta \"1.5+x\" }}", VALUES)).toBe("[pi a]|[pizza]|[b c]|1\\.5\\+x");
  });
});

describe("semver", () => {
  it("{{ semverCompare \">=1.2.3\" \"1.2.4\" }}|{{ semverCompare \"<1.0\" \"1.0.0\" }}|{{ semverCompare \"~1.2\" \"1.2.9\" }}|{{ semverCompare \"~1.2\" \"1.3.0\" }}|{{ semverCompare \"^1.2\" \"1.9.0\" }}|{{ semverCompare \"^0.2.3\" \"0.3.0\" }}", () => {
    expect(render("{{ semverCompare \">=1.2.3\" \"1.2.4\" }}|{{ semverCompare \"<1.0\" \"1.0.0\" }}|{{ semverCompare \"~1.2\" \"1.2.9\" }}|{{ semverCompare \"~1.2\" \"1.3.0\" }}|{{ semverCompare \"^1.2\" \"1.9.0\" }}|{{ semverCompare \"^0.2.3\" \"0.3.0\" }}", VALUES)).toBe("true|false|true|false|true|false");
  });
  it("{{ semverCompare \"1.2.x\" \"1.2.7\" }}|{{ semverCompare \"1.2 - 1.4\" \"1.3.5\" }}|{{ semverCompare \">=1.0, <2.0\" \"2.0.0\" }}|{{ semverCompare \"<1 || >=3\" \"3.1.0\" }}|{{ semverCompare \">=1.2.3\" \"1.2.4-beta\" }}|{{ semverCompare \">=1.2.3-0\" \"1.2.4-beta\" }}", () => {
    expect(render("{{ semverCompare \"1.2.x\" \"1.2.7\" }}|{{ semverCompare \"1.2 - 1.4\" \"1.3.5\" }}|{{ semverCompare \">=1.0, <2.0\" \"2.0.0\" }}|{{ semverCompare \"<1 || >=3\" \"3.1.0\" }}|{{ semverCompare \">=1.2.3\" \"1.2.4-beta\" }}|{{ semverCompare \">=1.2.3-0\" \"1.2.4-beta\" }}", VALUES)).toBe("true|true|false|true|false|true");
  });
  it("{{ semver \"1.2.3\" }}|{{ (semver \"v1.2.3-rc.1\").Prerelease }}|{{ (semver \"1.2\").Minor }}|{{ toJson (semver \"1.2.3-rc.1+b\") }}", () => {
    expect(render("{{ semver \"1.2.3\" }}|{{ (semver \"v1.2.3-rc.1\").Prerelease }}|{{ (semver \"1.2\").Minor }}|{{ toJson (semver \"1.2.3-rc.1+b\") }}", VALUES)).toBe("1.2.3|rc.1|2|\"1.2.3-rc.1+b\"");
  });
});

describe("paths and misc", () => {
  it("{{ base \"/a/b/c.txt\" }}|{{ base \"\" }}|{{ dir \"/a/b/c\" }}|{{ clean \"a//b/../c/.\" }}|{{ ext \"x.tar.gz\" }}|{{ isAbs \"/x\" }}", () => {
    expect(render("{{ base \"/a/b/c.txt\" }}|{{ base \"\" }}|{{ dir \"/a/b/c\" }}|{{ clean \"a//b/../c/.\" }}|{{ ext \"x.tar.gz\" }}|{{ isAbs \"/x\" }}", VALUES)).toBe("c.txt|.|/a/b|a/c|.gz|true");
  });
  it("{{ hello }}|{{ len (uuidv4) }}|{{ len (randAlphaNum 8) }}", () => {
    expect(render("{{ hello }}|{{ len (uuidv4) }}|{{ len (randAlphaNum 8) }}", VALUES)).toBe("Hello!|36|8");
  });
});

describe('sprig errors', () => {
  it("{{ fail \"boom\" }}", () => {
    expect(renderError("{{ fail \"boom\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <fail \"boom\">: error calling fail: boom");
  });
  it("{{ first \"abc\" }}", () => {
    expect(renderError("{{ first \"abc\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <first \"abc\">: error calling first: Cannot find first on type string");
  });
  it("{{ append \"abc\" 1 }}", () => {
    expect(renderError("{{ append \"abc\" 1 }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <append \"abc\" 1>: error calling append: Cannot push on type string");
  });
  it("{{ concat (list 1) \"x\" }}", () => {
    expect(renderError("{{ concat (list 1) \"x\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <concat (list 1) \"x\">: error calling concat: Cannot concat type string as list");
  });
  it("{{ mustFromJson \"{\" }}", () => {
    expect(renderError("{{ mustFromJson \"{\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <mustFromJson \"{\">: error calling mustFromJson: unexpected end of JSON input");
  });
  it("{{ regexFind \"(\" \"x\" }}", () => {
    expect(renderError("{{ regexFind \"(\" \"x\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <regexFind \"(\" \"x\">: error calling regexFind: regexp: Compile(`(`): error parsing regexp: missing closing ): `(`");
  });
  it("{{ mustRegexMatch \"(\" \"x\" }}", () => {
    expect(renderError("{{ mustRegexMatch \"(\" \"x\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <mustRegexMatch \"(\" \"x\">: error calling mustRegexMatch: error parsing regexp: missing closing ): `(`");
  });
  it("{{ semverCompare \">=1.2.3\" \"notaversion\" }}", () => {
    expect(renderError("{{ semverCompare \">=1.2.3\" \"notaversion\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <semverCompare \">=1.2.3\" \"notaversion\">: error calling semverCompare: Invalid Semantic Version");
  });
  it("{{ mod 1 0 }}", () => {
    expect(renderError("{{ mod 1 0 }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <mod 1 0>: error calling mod: runtime error: integer divide by zero");
  });
  it("{{ repeat -1 \"x\" }}", () => {
    expect(renderError("{{ repeat -1 \"x\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <repeat -1 \"x\">: error calling repeat: strings: negative Repeat count");
  });
  it("{{ substr 4 2 \"hello\" }}", () => {
    expect(renderError("{{ substr 4 2 \"hello\" }}", VALUES).message).toBe("template: x.yaml:1:3: executing \"x.yaml\" at <substr 4 2 \"hello\">: error calling substr: runtime error: slice bounds out of range [4:2]");
  });
  it("{{ ternary 1 2 \"x\" }}", () => {
    expect(renderError("{{ ternary 1 2 \"x\" }}", VALUES).message).toBe("template: x.yaml:1:15: executing \"x.yaml\" at <\"x\">: expected bool; found \"x\"");
  });
  it("{{ hasKey .l \"a\" }}", () => {
    expect(renderError("{{ hasKey .l \"a\" }}", VALUES).message).toBe("template: x.yaml:1:10: executing \"x.yaml\" at <.l>: wrong type for value; expected map[string]interface {}; got []interface {}");
  });
});
