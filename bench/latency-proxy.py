# A TCP proxy that holds each request for DELAY seconds before passing it
# on, as a store across a network would: data from the client after a
# pause of more than 5 ms starts a new request. bench/ci-cycle.sh puts it
# in front of Garage when LATENCY_MS is set.
#
#   python3 bench/latency-proxy.py LISTEN_PORT UPSTREAM_HOST UPSTREAM_PORT DELAY_SECONDS
import asyncio, sys, time
LISTEN, UP_HOST, UP_PORT, DELAY = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
async def pipe(r, w, delay):
    last = 0.0
    try:
        while True:
            data = await r.read(1 << 16)
            if not data:
                break
            now = time.monotonic()
            if delay and now - last > 0.005:
                await asyncio.sleep(delay)
            last = time.monotonic()
            w.write(data)
            await w.drain()
    except Exception:
        pass
    finally:
        w.close()
async def handle(cr, cw):
    ur, uw = await asyncio.open_connection(UP_HOST, UP_PORT)
    await asyncio.gather(pipe(cr, uw, DELAY), pipe(ur, cw, 0))
async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', LISTEN)
    async with server:
        await server.serve_forever()
asyncio.run(main())
