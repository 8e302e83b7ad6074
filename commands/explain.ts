import type { Answer } from '../src/core/answer.js';
import { newAnswer } from '../src/core/answer.js';
import type { NetpeekCommand } from '../src/deps.js';
import { UserError } from '../src/core/errors.js';
import { closest } from '../src/core/similar-names.js';
import type { Topic } from '../src/net/topics.js';
import { TOPICS, findTopic, topicWords } from '../src/net/topics.js';

export const explain: NetpeekCommand = {
  name: 'explain',
  summary: 'Why Docker networking behaves as it does: expose, publish, bridge, namespace, host-network, docker-desktop, veth',
  args: [{ name: '<topic>', required: false, completes: ['topic'] }],
  flags: [],
  examples: ['explain publish', 'explain docker-desktop', 'explain'],
  subject: { role: 'about', kind: 'topic' },
  sendsPackets: 'never',
  selfContained: true,
  description: 'Short explanations of the facts behind netpeek\'s answers. Without a topic, the list of topics.',
  async run(query) {
    const word = query.args[0];
    if (word === undefined) return topicList();
    const topic = findTopic(word);
    if (!topic) {
      const near = closest(word, topicWords());
      throw new UserError(`netpeek has no explanation for "${word}".${near ? ` Did you mean "${near}"?` : ''}`, [
        `Topics: ${TOPICS.map((t) => t.id).join(', ')}`,
        'Example: explain publish',
      ], 'not_found');
    }
    return topicAnswer(topic);
  },
};

function topicList(): Answer {
  return newAnswer('explain', 'explain: topics', {
    subject: { kind: 'topic', name: 'topics' },
    summary: 'Ask `explain <topic>` for one of these.',
    tables: [{ title: 'Topics', columns: ['topic', 'in one line', 'also'], rows: TOPICS.map((t) => [t.id, t.summary, t.aliases.join(', ')]) }],
  });
}

function topicAnswer(topic: Topic): Answer {
  return newAnswer('explain', `explain ${topic.id}`, {
    subject: { kind: 'topic', name: topic.id },
    summary: topic.summary,
    explanations: [...topic.sentences],
    hints: [`Related: ${topic.tryThis.map((c) => `\`${c}\``).join(', ')}`],
  });
}
