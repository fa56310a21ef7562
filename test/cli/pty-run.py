# Runs argv[1:] on a pseudo-terminal and answers its prompts: stdin holds a JSON list of
# [prompt, reply] pairs; each reply is typed (with Enter) once its prompt has appeared. Prints all
# the terminal showed, then exits with the child's exit code.
import json, os, pty, select, sys, time

script = json.load(sys.stdin)
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

shown = b''
def read(until=None, timeout=30.0):
    global shown
    deadline = time.time() + timeout
    while time.time() < deadline:
        if until is not None and shown.count(until[0]) >= until[1]:
            return True
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            shown += chunk
    return False

seen = {}
for prompt, reply in script:
    p = prompt.encode()
    seen[p] = seen.get(p, 0) + 1
    if not read((p, seen[p])):
        break
    os.write(fd, reply.encode() + b'\r')
read()
deadline = time.time() + 10
done, status = os.waitpid(pid, os.WNOHANG)
while done == 0 and time.time() < deadline:
    time.sleep(0.05)
    done, status = os.waitpid(pid, os.WNOHANG)
if done == 0:  # still waiting for input that never comes: a prompt the script did not expect
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    shown += b'\n[pty-run: killed, the child was still running]'
sys.stdout.buffer.write(shown)
sys.exit(os.waitstatus_to_exitcode(status))
