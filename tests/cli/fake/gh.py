"""A stand-in for GitHub's ``gh`` CLI: the few ``gh api`` calls the Action's comment
step makes, against comments kept in the JSON file ``$FAKE_GH_STATE``. Filters given
with ``--jq`` run through real jq, so the step's filters are tested as written.

Every call is recorded in the state's ``calls``. ``gh api user`` fails as it does for
a job's token (an app installation has no user)."""

import json
import os
import sys

import jq


def main(argv: list[str]) -> int:
    state_path = os.environ["FAKE_GH_STATE"]
    with open(state_path, encoding="utf-8") as file:
        state = json.load(file)
    state["calls"].append(argv)
    try:
        return serve(state, argv)
    finally:
        with open(state_path, "w", encoding="utf-8") as file:
            json.dump(state, file)


def serve(state: dict, argv: list[str]) -> int:
    if not os.environ.get("GH_TOKEN"):
        print("gh: To use GitHub CLI in a GitHub Actions workflow, set GH_TOKEN", file=sys.stderr)
        return 4
    args, options = [], {"--method": "GET"}
    rest = iter(argv[1:])  # after "api"
    for arg in rest:
        if arg in ("--method", "--jq", "-F"):
            options[arg] = next(rest)
        elif arg != "--paginate":
            args.append(arg)
    [path] = args
    if path == "user":
        print("gh: Resource not accessible by integration (HTTP 403)", file=sys.stderr)
        return 1
    if state.get("read_only") and options["--method"] != "GET":
        print("gh: Resource not accessible by integration (HTTP 403)", file=sys.stderr)
        return 1
    comments = state["comments"]
    if options["--method"] == "GET":
        answer = comments
    else:
        field, _, source = options["-F"].partition("=@")
        assert field == "body", options
        with open(source, encoding="utf-8") as file:
            body = file.read()
        if options["--method"] == "POST":
            answer = {"id": 100 + len(comments), "user": {"login": "github-actions[bot]"}}
            comments.append(answer)
        else:
            [answer] = [c for c in comments if path.endswith(f"/comments/{c['id']}")]
        answer.update(body=body, html_url=f"https://github.test/{path}#{answer['id']}")
    for value in jq.compile(options.get("--jq", ".")).input_value(answer).all():
        print(value if isinstance(value, str) else json.dumps(value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
