/**
 * The two Slack app manifests (slack/manifest.yml for HTTP, slack/manifest-socket-mode.yml for
 * Socket Mode) describe one app: the same commands, scopes, events and settings, the Socket Mode
 * one without request URLs. Both name exactly the slash commands the app registers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/slack/listeners/commands';

const http = readFileSync('slack/manifest.yml', 'utf8');
const socket = readFileSync('slack/manifest-socket-mode.yml', 'utf8');

/** Lines that are not comments or blank (the manifests' own text, comments aside). */
function content(yaml: string): string[] {
  return yaml.split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
}

/** What Socket Mode changes in an HTTP manifest: no request URLs, socket_mode_enabled true. */
function asSocketMode(lines: string[]): string[] {
  return lines
    .filter((line) => !/^\s*(url|request_url|message_menu_options_url):/.test(line))
    .map((line) => line.replace(/^(\s*socket_mode_enabled:) false$/, '$1 true'));
}

/** The items of the YAML list under `key:` (block style, `- item` lines), by their first field. */
function listUnder(yaml: string, key: string): string[] {
  const lines = content(yaml);
  const start = lines.findIndex((line) => line.trim() === `${key}:`);
  if (start < 0) return [];
  const indent = lines[start]!.search(/\S/);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.search(/\S/) <= indent && !line.trimStart().startsWith('-')) break;
    const item = /^\s*- (?:command: )?(\S+)/.exec(line);
    if (item) items.push(item[1]!);
  }
  return items;
}

describe('Slack app manifests', () => {
  it('differ only by the request URLs and socket_mode_enabled', () => {
    expect(content(socket)).toEqual(asSocketMode(content(http)));
    // The derivation changed something: the HTTP manifest has URLs and Socket Mode off.
    expect(content(http)).not.toEqual(asSocketMode(content(http)));
  });

  it('turn Socket Mode on only in the Socket Mode manifest, which has no URL', () => {
    expect(content(http)).toContain('  socket_mode_enabled: false');
    expect(content(socket)).toContain('  socket_mode_enabled: true');
    expect(content(socket).join('\n')).not.toMatch(/https?:\/\//);
    // One per slash command, and the events' and interactivity's request URLs.
    expect(content(http).filter((line) => /^\s*(url|request_url):/.test(line)).length).toBe(Object.values(COMMANDS).length + 2);
  });

  it('name the commands the app registers, the same scopes and the same events', () => {
    for (const manifest of [http, socket]) {
      expect(listUnder(manifest, 'slash_commands').sort()).toEqual(Object.values(COMMANDS).sort());
      expect(listUnder(manifest, 'bot_events')).toEqual(['app_home_opened']);
    }
    expect(listUnder(socket, 'bot')).toEqual(listUnder(http, 'bot'));
    expect(listUnder(http, 'bot')).toEqual(expect.arrayContaining(['commands', 'chat:write', 'users:read.email']));
  });

  it('would catch a scope, command or shortcut added to one manifest only', () => {
    const withScope = http.replace('      - users:read.email\n', '      - users:read.email\n      - channels:read\n');
    const withShortcut = http.replace(
      '  slash_commands:\n',
      '  shortcuts:\n    - name: Onboard\n      type: global\n      callback_id: onboard\n      description: Onboard a contact\n  slash_commands:\n',
    );
    for (const changed of [withScope, withShortcut]) {
      expect(changed).not.toBe(http);
      expect(content(socket)).not.toEqual(asSocketMode(content(changed)));
    }
  });
});
