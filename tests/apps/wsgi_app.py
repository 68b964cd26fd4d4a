"""A real Flask app instrumented with app_instrumentation, served by gunicorn in the tests."""

from __future__ import annotations

from flask import Flask, jsonify, request

from app_instrumentation import counted, instrument_flask, result, timed

app = Flask(__name__)

USERS = {"ann": "secret", "bob": "hunter2"}


@counted("logins_total", "Login attempts by result.",
         labels={"result": result(lambda ok: "success" if ok else "failure")})
def login(user: str, password: str) -> bool:
    return USERS.get(user) == password


@timed("user_lookup_seconds", "Time to look a user up.")
def lookup(user_id: int) -> dict:
    return {"id": user_id, "name": f"user-{user_id}"}


@app.post("/login")
def login_view():
    ok = login(request.form.get("user", ""), request.form.get("password", ""))
    return ("welcome\n", 200) if ok else ("denied\n", 401)


@app.get("/users/<int:user_id>")
def user_view(user_id: int):
    return jsonify(lookup(user_id))


@app.get("/healthz")
def healthz():
    return "OK\n"


instrument_flask(app)
