// stemmaster live player: Web Audio playback of the server's streamed
// previews (16-bit WAV segments of a few seconds per file) through the
// graph of livegraph.js (LiveGraph: the stems' strips, the buses, the
// master section). This half is the transport: the mix as delivered and
// the master play in step with the stems on their own buses, the
// segments are fetched, scheduled against the audio clock and let go, so
// only those around the playhead (and a looped region) are held in
// memory.
"use strict";

class LivePlayer extends LiveGraph {
  constructor(fetchBytes) {
    super();
    this.fetchBytes = fetchBytes; // url → Promise<ArrayBuffer>
    this.playing = false;
    this.spans = [];
    this.loop = { on: false, a: 0, b: 8 };
    this.stats = { bytes: 0, bytesBeforeFirstSound: 0, segments: 0, firstSoundMs: null, playCalledAt: 0, lateSegments: 0 };
    this.timer = null;
    this.spanSeq = 0;
    this.onstate = () => {};
    // Underruns observed while playing (GlitchWatch), reported to
    // onglitch as they grow.
    this.glitches = { events: 0, seconds: 0 };
    this.onglitch = () => {};
    // A segment that arrived after its time (a slow connection): its
    // stem is silent for a moment, reported to onlate.
    this.onlate = () => {};
  }

  // liveState is what the master section's gain and limiter are doing:
  // sm-master's last report (workletmaster.js Master), or null.
  liveState() {
    const n = this.playing && this.masterLinks.find(l => l.kind === "limiter" && l.state);
    return n ? Object.assign({ targeted: n.options.targeted, adapt: n.options.adapt, target_lufs: n.options.target_lufs, ahead: n.ahead || null, stem_aware: !!n.stemAware }, n.state) : null;
  }

  // A stem moved in time plays from where the song is.
  setParams(id, p) {
    const t = this.tracks.get(id);
    const offsetChanged = t && p.offsetS !== undefined && p.offsetS !== t.params.offsetS;
    super.setParams(id, p);
    if (offsetChanged && this.ctx && this.playing) this.seek(this.position());
  }

  // Other buses playing load other segments: playing starts again there.
  setGroupGains(g) {
    const changed = [...Object.keys(g)].sort().join() !== [...this.active].sort().join();
    super.setGroupGains(g);
    if (changed && this.ctx && this.playing) this.play(this.position());
  }

  dropTrack(t) {
    this.stopTrack(t);
    super.dropTrack(t);
  }

  // stopTrack stops a track's sources scheduled.
  stopTrack(t) {
    for (const list of t.scheduled.values()) for (const s of list) { try { s.stop(); } catch (e) { /* not started */ } }
    t.scheduled.clear();
  }

  // play starts at pos seconds once one segment of every track is in.
  async play(pos) {
    this.ensureContext();
    if (this.ctx.state === "suspended") await this.ctx.resume();
    await this.workletsReady;
    if (this.groupGains) this.setGroupGains(this.groupGains);
    this.stopSources();
    pos = Math.max(0, Math.min(pos || 0, Math.max(0, this.duration - 0.05)));
    if (this.loop.on && (pos < this.loop.a || pos >= this.loop.b)) pos = this.loop.a;
    this.stats.playCalledAt = performance.now();
    const token = ++this.spanSeq;
    this.playing = true;
    this.onstate();
    const bytes0 = this.stats.bytes, live = this.liveTracks();
    await Promise.all(live.map(t => this.load(t, this.segmentAt(t, pos)).catch(() => null)));
    if (token !== this.spanSeq || !this.playing) return;
    // What this start waited for: at most one segment of each track
    // playing (more only when an earlier prefetch lands meanwhile).
    this.stats.lastStart = { bytes: this.stats.bytes - bytes0, ms: Math.round(performance.now() - this.stats.playCalledAt + 30),
      segmentBytes: live.reduce((n, t) => n + t.info.segment_frames * 4 + 1024, 0) };
    const start = this.ctx.currentTime + 0.03;
    const end = this.loop.on ? Math.min(this.loop.b, this.duration) : this.duration;
    if (!this.watch) this.watch = new GlitchWatch(this.ctx);
    this.watch.mark();
    this.glitches = { events: 0, seconds: 0 };
    this.spans = [{ id: token * 1000, ctx0: start, pos0: pos, pos1: end }];
    this.tick();
    if (this.stats.firstSoundMs === null) {
      this.stats.firstSoundMs = Math.round(performance.now() - this.stats.playCalledAt + 30);
      this.stats.bytesBeforeFirstSound = this.stats.bytes;
    }
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop() {
    this.spanSeq++;
    this.playing = false;
    clearInterval(this.timer);
    this.stopSources();
    this.spans = [];
    this.onstate();
  }

  seek(pos) {
    this.pausedAt = pos;
    if (this.playing) this.play(pos);
    else this.onstate();
  }

  setLoop(on, a, b) {
    const wasOn = this.loop.on;
    this.loop = { on, a: Math.max(0, a), b: Math.max(a + 0.5, b) };
    if (this.playing && (on || wasOn)) this.play(this.position());
  }

  stopSources() {
    for (const t of this.tracks.values()) this.stopTrack(t);
  }

  segmentAt(t, pos) {
    const segS = t.info.segment_frames / t.info.sample_rate;
    return Math.max(0, Math.min(t.info.segments - 1, Math.floor((pos - (t.params.offsetS || 0)) / segS)));
  }

  // position is the song time now playing.
  position() {
    if (!this.playing || !this.spans.length) return this.pausedAt || 0;
    const now = this.ctx.currentTime;
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const s = this.spans[i];
      if (now >= s.ctx0) return Math.min(s.pos1, s.pos0 + (now - s.ctx0));
    }
    return this.spans[0].pos0;
  }

  async load(t, k) {
    if (t.buffers.has(k)) return t.buffers.get(k);
    if (t.loading.has(k)) return t.loading.get(k);
    const url = t.info.url + "/" + k + "?v=" + t.info.version;
    const p = this.fetchBytes(url).then(bytes => {
      this.stats.bytes += bytes.byteLength;
      this.stats.segments++;
      return this.ctx.decodeAudioData(bytes);
    }).then(buf => { t.buffers.set(k, buf); t.loading.delete(k); return buf; },
      e => { t.loading.delete(k); throw e; });
    t.loading.set(k, p);
    return p;
  }

  tick() {
    if (!this.playing || !this.spans.length) return;
    const now = this.ctx.currentTime;
    const g = this.watch ? this.watch.check() : null;
    if (g && g.events > this.glitches.events) {
      this.glitches = g;
      this.onglitch(g);
    }
    const horizon = now + AHEAD_S;
    // Extend the timeline: the loop repeats, the song ends.
    let last = this.spans[this.spans.length - 1];
    while (last.ctx0 + (last.pos1 - last.pos0) < horizon) {
      if (!this.loop.on) break;
      const n = { id: last.id + 1, ctx0: last.ctx0 + (last.pos1 - last.pos0), pos0: this.loop.a, pos1: Math.min(this.loop.b, this.duration) };
      if (n.pos1 <= n.pos0) break;
      this.spans.push(n);
      last = n;
    }
    const lastEnd = last.ctx0 + (last.pos1 - last.pos0);
    if (!this.loop.on && now > lastEnd + 0.1) { this.pausedAt = 0; this.stop(); return; }
    this.spans = this.spans.filter(s => s.ctx0 + (s.pos1 - s.pos0) > now - 1);
    for (const t of this.liveTracks()) {
      const segS = t.info.segment_frames / t.info.sample_rate;
      const off = t.params.offsetS || 0;
      for (const s of this.spans) {
        if (s.ctx0 > horizon) continue;
        const pEnd = Math.min(s.pos1, s.pos0 + (horizon - s.ctx0));
        const k0 = Math.max(0, Math.floor((s.pos0 - off) / segS));
        const k1 = Math.min(t.info.segments - 1, Math.floor((pEnd - off) / segS));
        for (let k = k0; k <= k1; k++) {
          const key = s.id + ":" + k;
          if (t.scheduled.has(key)) continue;
          const buf = t.buffers.get(k);
          if (!buf) { this.load(t, k).catch(() => {}); continue; }
          const segStart = k * segS + off;
          const lo = Math.max(segStart, s.pos0), hi = Math.min(segStart + buf.duration, s.pos1);
          if (hi <= lo) { t.scheduled.set(key, []); continue; }
          let when = s.ctx0 + (lo - s.pos0), skip = lo - segStart, dur = hi - lo;
          if (when < now) {
            // The segment arrived after its time: the part already
            // past is skipped (a short silence in that stem).
            const late = now - when;
            when = now; skip += late; dur -= late;
            if (late > 0.005) { this.stats.lateSegments++; this.onlate(); }
          }
          if (dur <= 0) { t.scheduled.set(key, []); continue; }
          const src = this.ctx.createBufferSource();
          src.buffer = buf;
          src.connect(t.chan.input);
          src.start(when, skip, dur);
          t.scheduled.set(key, [src]);
        }
      }
      // Prefetch the next segments, and the loop's first.
      const cur = this.segmentAt(t, this.position());
      for (let k = cur; k <= Math.min(t.info.segments - 1, cur + 2); k++) this.load(t, k).catch(() => {});
      if (this.loop.on) this.load(t, this.segmentAt(t, this.loop.a)).catch(() => {});
      this.evict(t, cur);
    }
    this.onstate();
  }

  evict(t, cur) {
    const loopK = this.loop.on ? [this.segmentAt(t, this.loop.a), this.segmentAt(t, this.loop.b)] : null;
    for (const k of t.buffers.keys()) {
      const near = k >= cur - KEEP_BEHIND && k <= cur + KEEP_AHEAD;
      const inLoop = loopK && k >= loopK[0] && k <= loopK[1] && loopK[1] - loopK[0] <= 15;
      if (!near && !inLoop) t.buffers.delete(k);
    }
    for (const key of [...t.scheduled.keys()]) {
      const span = Number(key.split(":")[0]);
      if (!this.spans.some(s => s.id === span)) t.scheduled.delete(key);
    }
  }

  // heldBytes is the decoded audio the player holds.
  heldBytes() {
    let n = 0;
    for (const t of this.tracks.values()) for (const b of t.buffers.values()) n += b.length * b.numberOfChannels * 4;
    return n;
  }
}

window.LivePlayer = LivePlayer;
