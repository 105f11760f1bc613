"""Reading the user's files (``harness/_files.py``) and the gate for names and paths that come from
data (``harness/safepaths.py``): the exact message a user acts on for each way a file or a name can
be wrong, and the limits, each on both sides of its edge.
"""

from __future__ import annotations

import fcntl
import os
import stat

import pytest

from harness import _files
from harness._files import MAX_FILE_BYTES, MAX_YAML_VALUES, key_line, normalized, read_text, read_yaml
from harness.errors import CatalogError, FixtureError, HarnessError, SnapshotError
from harness.safepaths import MAX_DEPTH, check_name, open_nofollow, read_regular, safe_folder


def written(tmp_path, data, name="meta.yaml"):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(HarnessError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


# -- normalized, read_text ------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "text"), [
    (b"a\r\nb\r\n", b"a\nb\n"),
    (b"a\rb\r", b"a\nb\n"),
    (b"a\r\r\nb", b"a\n\nb"),
    (b"\xef\xbb\xbfsubject", b"subject"),
    (b"\xef\xbb\xbf\xef\xbb\xbfx", b"\xef\xbb\xbfx"),  # one mark dropped: the second is content
    (b"x\xef\xbb\xbf", b"x\xef\xbb\xbf"),  # only a leading mark is one
    (b"plain\n", b"plain\n"),
])
def test_line_endings_and_the_byte_order_mark_are_normalized(data, text):
    assert normalized(data) == text


def test_read_text_decodes_normalized_utf8(tmp_path):
    assert read_text(written(tmp_path, b"\xef\xbb\xbfH\xc3\xa9llo\r\nworld\r", "a.mjml"), CatalogError) == "Héllo\nworld\n"


def test_text_that_is_not_utf8_is_named_with_its_line_and_byte(tmp_path):
    path = written(tmp_path, b"one\r\ntwo\nthr\xe9e\n", "a.mjml")
    with pytest.raises(CatalogError) as caught:
        read_text(path, CatalogError)
    # line 3, byte 11 of the normalized text (the CRLF is one byte there)
    assert str(caught.value) == f"{path}:3: not UTF-8 (byte 11); save the file as UTF-8"


def test_the_first_line_is_line_one(tmp_path):
    path = written(tmp_path, b"\xff", "a.mjml")
    assert error_of(read_text, path, FixtureError) == f"{path}:1: not UTF-8 (byte 0); save the file as UTF-8"


def test_a_file_of_5_mb_is_read_and_one_byte_more_is_refused(tmp_path):
    assert MAX_FILE_BYTES == 5_000_000
    assert len(read_text(written(tmp_path, b"x" * MAX_FILE_BYTES, "big.mjml"), CatalogError)) == MAX_FILE_BYTES
    path = written(tmp_path, b"x" * (MAX_FILE_BYTES + 1), "big.mjml")
    assert error_of(read_text, path, CatalogError) == f"{path}: 5,000,001 bytes; the limit is 5,000,000"


def test_read_text_raises_the_callers_error(tmp_path):
    with pytest.raises(FixtureError):
        read_text(tmp_path / "missing.yaml", FixtureError)


# -- read_yaml ------------------------------------------------------------------------------------


def test_yaml_is_read_after_normalizing(tmp_path):
    assert read_yaml(written(tmp_path, "\ufeffsubject: Hi\r\nitems: [1, 2]\r\n"), CatalogError) == {"subject": "Hi", "items": [1, 2]}


def test_a_key_given_twice_is_an_error_naming_both_lines(tmp_path):
    path = written(tmp_path, "rules:\n  links: on\nname: x\nrules: {}\n")
    assert error_of(read_yaml, path, CatalogError) == f"{path}:4: invalid YAML: duplicate key 'rules' (first at line 1)"


def test_a_key_given_twice_in_a_nested_mapping_is_an_error_too(tmp_path):
    path = written(tmp_path, "customer:\n  name: Ada\n  name: Bob\n")
    assert error_of(read_yaml, path, CatalogError) == f"{path}:3: invalid YAML: duplicate key 'name' (first at line 2)"


def test_equal_keys_in_sibling_mappings_are_fine(tmp_path):
    assert read_yaml(written(tmp_path, "a: {x: 1}\nb: {x: 2}\n"), CatalogError) == {"a": {"x": 1}, "b": {"x": 2}}


def test_a_mapping_key_that_is_a_list_is_reported_by_yaml_not_crashed_on(tmp_path):
    path = written(tmp_path, "? [a, b]\n: 1\n")
    assert error_of(read_yaml, path, CatalogError) == f"{path}:1: invalid YAML: found unhashable key"


def test_a_complex_key_is_built_whole_before_it_is_compared(tmp_path):
    # a mapping key built deep: the strict loader sees the same key the safe loader would
    path = written(tmp_path, "? !!python/tuple [a, [b]]\n: 1\n")
    assert "invalid YAML" in error_of(read_yaml, path, CatalogError)
    assert read_yaml(written(tmp_path, "? 1\n: a\n? 2\n: b\n"), CatalogError) == {1: "a", 2: "b"}


def test_a_duplicate_key_after_an_unhashable_one_is_still_named(tmp_path):
    path = written(tmp_path, "{[a]: 1, b: 1, b: 2}")
    assert error_of(read_yaml, path, CatalogError) == f"{path}:1: invalid YAML: duplicate key 'b' (first at line 1)"


def test_a_deeply_nested_fixture_is_read_without_recursion(tmp_path):
    # values are built lazily, level by level: 300 levels of mappings are data, not a crash
    data = read_yaml(written(tmp_path, "{a: " * 300 + "1" + "}" * 300), FixtureError)
    for _ in range(300):
        data = data["a"]
    assert data == 1


def test_a_syntax_error_names_the_line_and_the_problem(tmp_path):
    path = written(tmp_path, "a: [1\n")
    assert error_of(read_yaml, path, CatalogError) == f"{path}:2: invalid YAML: did not find expected ',' or ']'"


def test_a_yaml_error_without_a_position_names_the_file(tmp_path, monkeypatch):
    import yaml

    def no_mark(*args, **kwargs):
        raise yaml.YAMLError("the reader gave up")

    monkeypatch.setattr(_files.yaml, "load", no_mark)
    path = written(tmp_path, "a: 1\n")
    assert error_of(read_yaml, path, CatalogError) == f"{path}: invalid YAML: the reader gave up"


def test_a_document_nested_too_deeply_for_python_is_an_error_not_a_crash(tmp_path, monkeypatch):
    # PyYAML without libyaml composes a document recursively: 1000 nested brackets exhaust
    # Python's stack (libyaml stops earlier with its own error, a YAMLError)
    def recursing(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(_files.yaml, "load", recursing)
    path = written(tmp_path, "[" * 1000 + "]" * 1000)
    assert error_of(read_yaml, path, CatalogError) == f"{path}: invalid YAML: nested too deeply"


def test_an_alias_bomb_is_refused_with_the_limit_named(tmp_path):
    lines = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    for level in "bcdef":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = written(tmp_path, "\n".join(lines) + "\n")  # 10^6 values from 6 lines
    assert MAX_YAML_VALUES == 200_000
    assert error_of(read_yaml, path, FixtureError) == (
        f"{path}: more than 200,000 values once its aliases are expanded (an alias bomb?)")


@pytest.mark.parametrize(("text", "too_big"), [
    ("[1, 2, 3, 4]", False),  # the list and its four items: five values
    ("[1, 2, 3, 4, 5]", True),
    ("{a: 1, b: 2}", False),  # the mapping, two keys, two values
    ("{a: 1, b: 2, c: 3}", True),
    ("[[1], [2]]", False),  # nested lists count each item
    ("[[1, 2], [3]]", True),
    ("{a: [1, 2, 3]}", True),  # mapping, key, list, three items: six
    ("{a: [1]}", False),
    ("x", False),
])
def test_every_value_counts_keys_and_nested_items_included(tmp_path, monkeypatch, text, too_big):
    monkeypatch.setattr(_files, "MAX_YAML_VALUES", 5)
    path = written(tmp_path, text)
    if too_big:
        assert error_of(read_yaml, path, CatalogError) == f"{path}: more than 5 values once its aliases are expanded (an alias bomb?)"
    else:
        assert read_yaml(path, CatalogError) is not None


def test_an_aliased_value_counts_each_time_it_is_used(tmp_path, monkeypatch):
    monkeypatch.setattr(_files, "MAX_YAML_VALUES", 12)
    # mapping 1, keys 2, list 1+3, alias 1+3: 11 values
    assert read_yaml(written(tmp_path, "a: &x [1, 2, 3]\nb: *x\n"), CatalogError) == {"a": [1, 2, 3], "b": [1, 2, 3]}
    monkeypatch.setattr(_files, "MAX_YAML_VALUES", 10)
    assert "more than 10 values" in error_of(read_yaml, written(tmp_path, "a: &x [1, 2, 3]\nb: *x\n"), CatalogError)


def test_read_yaml_refuses_what_read_text_refuses(tmp_path):
    path = written(tmp_path, b"a: \xff\n")
    assert error_of(read_yaml, path, FixtureError) == f"{path}:1: not UTF-8 (byte 3); save the file as UTF-8"


# -- check_name -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "en-ada", "de_DE.paid", "9", "A" * 128])
def test_a_valid_part_or_fixture_name_is_returned(name):
    assert check_name(name, "fixture", "results.json") == name


@pytest.mark.parametrize("name", ["billing/invoice_paid", "a/b/c/d/e/f/g/h", "x"])
def test_a_template_name_may_be_a_path_of_names(name):
    assert check_name(name, "template", "results.json") == name


def test_a_name_is_one_to_128_characters():
    with pytest.raises(HarnessError):
        check_name("A" * 129, "fixture", "results.json")
    with pytest.raises(HarnessError):
        check_name("", "fixture", "results.json")


def test_a_template_name_nests_at_most_max_depth_folders():
    assert MAX_DEPTH == 8
    with pytest.raises(HarnessError):
        check_name("a/b/c/d/e/f/g/h/i", "template", "results.json")


def test_a_bad_fixture_name_is_named_with_its_source_and_the_grammar():
    message = error_of(check_name, "../etc", "fixture", "report/results.json")
    assert message == ("report/results.json: fixture '../etc' is not a valid name (letters, digits, '_', '-', '.'; no '/'; "
                       "no leading dot, no empty segment); the file was not written by email-harness or was altered")


def test_a_bad_template_name_is_named_with_the_template_grammar():
    message = error_of(check_name, "billing//x", "template", "shard-2/results.json")
    assert message == ("shard-2/results.json: template 'billing//x' is not a valid name (segments of letters, digits, '_', "
                       "'-', '.' joined by '/'; no leading dot, no empty segment); the file was not written by "
                       "email-harness or was altered")


def test_a_slash_is_a_template_name_only():
    with pytest.raises(HarnessError):
        check_name("billing/x", "fixture", "results.json")
    with pytest.raises(HarnessError):
        check_name("billing/x", "part", "results.json")


@pytest.mark.parametrize("name", [".hidden", "-x", "_x", "a b", "a\n", "/abs", "a/", "../x"])
def test_names_that_could_escape_or_hide_are_refused(name):
    with pytest.raises(HarnessError):
        check_name(name, "template", "results.json")


def test_a_value_that_is_not_text_is_refused_and_shown():
    with pytest.raises(SnapshotError) as caught:
        check_name(7, "part", "manifest.json", SnapshotError)
    assert str(caught.value).startswith("manifest.json: part '7' is not a valid name")
    assert "part None is not" not in error_of(check_name, None, "part", "m")
    assert error_of(check_name, None, "part", "m").startswith("m: part 'None' is not a valid name")


def test_a_long_bad_value_is_cut_to_80_characters_in_the_message():
    message = error_of(check_name, "." + "x" * 200, "fixture", "results.json")
    assert f"fixture '.{'x' * 79}' is not" in message


def test_check_name_raises_the_default_error_without_one():
    with pytest.raises(HarnessError) as caught:
        check_name("..", "fixture", "results.json")
    assert type(caught.value) is HarnessError


# -- safe_folder ----------------------------------------------------------------------------------


def test_safe_folder_joins_the_names_and_accepts_steps_not_created_yet(tmp_path):
    (tmp_path / "billing").mkdir()
    assert safe_folder(tmp_path, "billing/invoice_paid", "en-paid") == tmp_path / "billing" / "invoice_paid" / "en-paid"


def test_each_segment_of_a_template_name_is_checked_for_a_symlink(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "billing").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SnapshotError) as caught:
        safe_folder(tmp_path, "billing/invoice_paid", "en-paid", error=SnapshotError)
    assert str(caught.value) == (f"{tmp_path / 'billing'}: is a symbolic link; email-harness never writes through one. "
                                 "Replace it with a real folder")


def test_a_symlink_deeper_down_is_refused_too(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "f").symlink_to(tmp_path)
    assert error_of(safe_folder, tmp_path, "t", "f").startswith(f"{tmp_path / 't' / 'f'}: is a symbolic link")


def test_a_file_where_a_folder_belongs_is_refused(tmp_path):
    (tmp_path / "t").write_text("x")
    assert error_of(safe_folder, tmp_path, "t", "f") == f"{tmp_path / 't'}: expected a folder, found another kind of file; remove it and re-run"


def test_a_step_that_cannot_be_examined_is_named_with_the_reason(tmp_path):
    root = tmp_path / "snapshots"
    root.write_text("a file, not the snapshot folder")
    with pytest.raises(SnapshotError) as caught:
        safe_folder(root, "t", error=SnapshotError)
    assert str(caught.value) == f"{root / 't'}: cannot be used (Not a directory)"


def test_safe_folder_raises_the_default_error_without_one(tmp_path):
    (tmp_path / "t").write_text("x")
    with pytest.raises(HarnessError) as caught:
        safe_folder(tmp_path, "t")
    assert type(caught.value) is HarnessError


# -- open_nofollow --------------------------------------------------------------------------------


def test_open_nofollow_creates_a_file_with_the_mode_the_umask_allows(tmp_path):
    old = os.umask(0o022)
    try:
        fd = open_nofollow(tmp_path / "lock", os.O_RDWR | os.O_CREAT)
    finally:
        os.umask(old)
    try:
        assert stat.S_IMODE(os.fstat(fd).st_mode) == 0o644
        assert fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC  # not inherited by Chromium or git
        assert fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDWR  # the caller's flags are kept
    finally:
        os.close(fd)


def test_open_nofollow_refuses_a_symlink_and_says_so(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (tmp_path / ".lock").symlink_to(target)
    with pytest.raises(SnapshotError) as caught:
        open_nofollow(tmp_path / ".lock", os.O_RDWR | os.O_TRUNC, SnapshotError)
    assert str(caught.value) == f"{tmp_path / '.lock'}: is a symbolic link; email-harness never writes through one. Delete it and re-run"
    assert target.read_text() == "keep me"


def test_open_nofollow_names_any_other_failure(tmp_path):
    assert error_of(open_nofollow, tmp_path / "no" / "lock", os.O_RDWR | os.O_CREAT) == f"{tmp_path / 'no' / 'lock'}: cannot open (No such file or directory)"


# -- read_regular ---------------------------------------------------------------------------------


def test_read_regular_reads_a_file_and_follows_a_link_by_default(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"data")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    assert read_regular(tmp_path / "a.txt") == b"data"
    assert read_regular(tmp_path / "link.txt") == b"data"


def test_read_regular_refuses_a_link_when_told_not_to_follow(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"data")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(SnapshotError) as caught:
        read_regular(tmp_path / "link.txt", SnapshotError, follow=False)
    assert str(caught.value) == (f"{tmp_path / 'link.txt'}: is a symbolic link; email-harness reads only regular files here "
                                 "(snapshot, report and catalog files). Copy the file in instead")


def test_a_missing_file_is_named_with_the_reason(tmp_path):
    assert error_of(read_regular, tmp_path / "gone.txt", follow=False) == f"{tmp_path / 'gone.txt'}: cannot read: No such file or directory"
    assert error_of(read_regular, tmp_path / "gone.txt") == f"{tmp_path / 'gone.txt'}: cannot read: No such file or directory"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "x.yaml")
    assert error_of(read_regular, tmp_path / "x.yaml") == f"{tmp_path / 'x.yaml'}: not a regular file (a pipe or device?); replace it with a file"


def test_a_folder_is_refused_with_what_to_do(tmp_path):
    (tmp_path / "body.html").mkdir()
    assert error_of(read_regular, tmp_path / "body.html") == f"{tmp_path / 'body.html'}: is a folder, expected a file; remove or rename the folder"


def test_the_size_limit_is_inclusive_and_named(tmp_path):
    path = written(tmp_path, b"12345", "a.txt")
    assert read_regular(path, limit=5) == b"12345"
    assert error_of(read_regular, path, limit=4) == f"{path}: 5 bytes; the limit is 4"


def test_the_default_limit_is_50_mb(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(50_000_001)  # sparse: nothing is written
    assert error_of(read_regular, path) == f"{path}: 50,000,001 bytes; the limit is 50,000,000"
    with open(path, "wb") as handle:
        handle.truncate(50_000_000)
    assert len(read_regular(path)) == 50_000_000


def test_a_read_error_is_named(tmp_path, monkeypatch):
    path = written(tmp_path, b"x", "a.txt")

    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdopen", broken)
    assert error_of(read_regular, path) == f"{path}: cannot read: Input/output error"


def test_read_regular_closes_what_it_opened(tmp_path):
    path = written(tmp_path, b"x", "a.txt")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        read_regular(path)
        with pytest.raises(HarnessError):
            read_regular(path, limit=0)
    assert len(os.listdir("/proc/self/fd")) == before


def test_read_regular_raises_the_default_error_without_one(tmp_path):
    with pytest.raises(HarnessError) as caught:
        read_regular(tmp_path / "gone")
    assert type(caught.value) is HarnessError


def test_read_regular_opens_without_blocking_or_leaking_the_descriptor(tmp_path, monkeypatch):
    # O_NONBLOCK: a FIFO opened for reading would wait for a writer; O_CLOEXEC: a process another
    # thread starts meanwhile (Chromium, git) inherits nothing; O_NOFOLLOW only when asked
    path = written(tmp_path, b"x", "a.txt")
    flags: list[int] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda p, f, *rest: flags.append(f) or real_open(p, f, *rest))
    read_regular(path)
    read_regular(path, follow=False)
    followed, not_followed = flags
    assert followed & os.O_ACCMODE == os.O_RDONLY
    assert followed & os.O_NONBLOCK and followed & os.O_CLOEXEC and not followed & os.O_NOFOLLOW
    assert not_followed & os.O_NOFOLLOW and not_followed & os.O_CLOEXEC and not_followed & os.O_NONBLOCK


def test_a_dangling_link_followed_is_a_missing_file_not_a_link(tmp_path):
    (tmp_path / "link.txt").symlink_to(tmp_path / "gone.txt")
    assert error_of(read_regular, tmp_path / "link.txt") == f"{tmp_path / 'link.txt'}: cannot read: No such file or directory"


def test_a_read_error_without_a_system_message_is_named_by_its_text(tmp_path, monkeypatch):
    path = written(tmp_path, b"x", "a.txt")

    def broken(*args, **kwargs):
        raise OSError("the disk went away")

    monkeypatch.setattr(os, "fdopen", broken)
    assert error_of(read_regular, path) == f"{path}: cannot read: the disk went away"


# -- key_line: where a message about a setting points ---------------------------------------------


SETTINGS = "# the catalog's settings\nscreenshots:\n  viewports: [600]\n  fixtures: [en-ada]\nrules: {}\n"


def test_key_line_finds_a_key_by_its_path(tmp_path):
    path = written(tmp_path, SETTINGS, "_catalog.yaml")
    assert key_line(path, "screenshots") == 2
    assert key_line(path, "screenshots", "fixtures") == 4
    assert key_line(path, "rules") == 5


@pytest.mark.parametrize("keys", [("missing",), ("screenshots", "missing"), ("rules", "x", "y"), ("screenshots", "viewports", "x"), ()])
def test_key_line_is_none_for_a_key_that_is_not_there(tmp_path, keys):
    assert key_line(written(tmp_path, SETTINGS, "_catalog.yaml"), *keys) is None


def test_key_line_is_none_without_a_readable_yaml_file(tmp_path):
    assert key_line(None, "screenshots") is None
    assert key_line(tmp_path / "missing.yaml", "screenshots") is None
    assert key_line(written(tmp_path, "screenshots: [\n", "bad.yaml"), "screenshots") is None


def test_key_line_is_none_for_a_file_nested_too_deeply(tmp_path, monkeypatch):
    def recursing(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(_files.yaml, "compose", recursing)
    assert key_line(written(tmp_path, SETTINGS, "_catalog.yaml"), "screenshots") is None


def test_key_line_skips_keys_that_are_not_text_and_reads_past_bad_bytes(tmp_path):
    path = written(tmp_path, b"# caf\xe9\n? [screenshots]\n: 1\nscreenshots:\n  fixtures: [a]\n", "_catalog.yaml")
    assert key_line(path, "screenshots", "fixtures") == 5
